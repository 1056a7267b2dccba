using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// ONNX nodes for TorchSharp's leaf layers in eval mode, each written from what the layer's <c>forward</c> computes.
/// Opset 13: Hardswish (opset 14) is written as x * HardSigmoid(x), as PyTorch's own exporter does below opset 14.
/// A layer with a setting the node cannot express throws a <see cref="ClassifierException"/> naming it.
/// </summary>
internal sealed class OnnxLayers(OnnxGraph graph)
{
    /// <summary>
    /// Emits <paramref name="layer"/> applied to <paramref name="input"/> and returns the output's name, or null when
    /// <paramref name="layer"/> is not a leaf layer this class knows.
    /// </summary>
    public string? TryEmit(nn.Module layer, string path, string input) => layer switch
    {
        Conv2d conv => Conv(conv, path, input),
        BatchNorm2d norm => BatchNorm(norm, path, input),
        Linear linear => Gemm(linear, path, input),
        ReLU => graph.Add("Relu", path, [input]),
        // relu6(x) = min(max(x, 0), 6); opset 13's Clip takes its bounds as inputs.
        ReLU6 => graph.Add("Clip", path, [input, Scalar(path, "min", 0f), Scalar(path, "max", 6f)]),
        Sigmoid => graph.Add("Sigmoid", path, [input]),
        Hardsigmoid => HardSigmoid(path, input),
        Hardswish => graph.Add("Mul", path, [input, HardSigmoid(path + ".hardsigmoid", input)]),
        MaxPool2d pool => MaxPool(pool, path, input),
        AdaptiveAvgPool2d pool => GlobalAveragePool(pool.output_size, path, input),
        Flatten flatten => FlattenFrom(flatten.start_dim, flatten.end_dim, path, input),
        // Identity in eval mode.
        Dropout or Identity => input,
        _ => null,
    };

    /// <summary>torch.flatten(x, start, end) for the case ONNX's Flatten expresses: everything from dim 1 on.</summary>
    public string FlattenFrom(long startDim, long endDim, string path, string input)
    {
        if (startDim != 1 || endDim != -1)
            throw Unsupported(path, $"flatten({startDim}, {endDim})", "only flatten(1, -1) has an ONNX Flatten equivalent");
        // [N, C, H, W] -> [N, C*H*W] in C order, the same element order as torch's flatten(1).
        return graph.Add("Flatten", path, [input], OnnxAttribute.Of("axis", 1L));
    }

    /// <summary>adaptive_avg_pool2d to 1 x 1: the mean over each channel's H x W.</summary>
    public string GlobalAveragePool(long[] outputSize, string path, string input)
    {
        if (outputSize.Any(side => side != 1))
            throw Unsupported(path, $"adaptive average pooling to {string.Join("x", outputSize)}", "only 1x1 (global average pooling) is exported");
        return graph.Add("GlobalAveragePool", path, [input]);
    }

    /// <summary>Why export stops at a layer: names it, its setting and what to do instead.</summary>
    public static ClassifierException Unsupported(string path, string what, string why) =>
        new($"ONNX export cannot write module '{path}' ({what}): {why}. Nothing was written; export to pt or safetensors instead.");

    private string Conv(Conv2d conv, string path, string input)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
            throw Unsupported(path, $"Conv2d with {conv.padding_mode} padding", "only zero padding is exported");
        if (conv.padding is not { Length: 2 } padding)
            throw Unsupported(path, $"Conv2d with padding '{conv.padding_type}'", "only explicit padding is exported");
        var inputs = new List<string> { input, graph.Weight(path + ".weight", conv.weight) };
        if (conv.bias is { } bias) inputs.Add(graph.Weight(path + ".bias", bias));
        return graph.Add("Conv", path, inputs,
            OnnxAttribute.Of("kernel_shape", conv.kernel_size),
            OnnxAttribute.Of("strides", conv.stride),
            // ONNX pads: all beginnings, then all ends; torch pads both sides of each axis alike.
            OnnxAttribute.Of("pads", padding[0], padding[1], padding[0], padding[1]),
            OnnxAttribute.Of("dilations", conv.dilation),
            OnnxAttribute.Of("group", conv.groups));
    }

    private string BatchNorm(BatchNorm2d norm, string path, string input)
    {
        // Eval mode normalises with the running statistics; without them, or without the affine parameters, the
        // layer computes something BatchNormalization's inference form does not.
        if (norm.running_mean is not { } mean || norm.running_var is not { } variance)
            throw Unsupported(path, "BatchNorm2d without running statistics", "eval mode would use each batch's own statistics");
        if (!norm.affine)
            throw Unsupported(path, "BatchNorm2d without affine parameters", "only affine batch norm is exported");
        return graph.Add("BatchNormalization", path,
            [input, graph.Weight(path + ".weight", norm.weight), graph.Weight(path + ".bias", norm.bias!),
             graph.Weight(path + ".running_mean", mean), graph.Weight(path + ".running_var", variance)],
            OnnxAttribute.Of("epsilon", (float)norm.eps));
    }

    private string Gemm(Linear linear, string path, string input)
    {
        // Linear stores weight as [out, in]: Gemm with transB=1 computes x W^T + b.
        var inputs = new List<string> { input, graph.Weight(path + ".weight", linear.weight) };
        if (linear.bias is { } bias) inputs.Add(graph.Weight(path + ".bias", bias));
        return graph.Add("Gemm", path, inputs, OnnxAttribute.Of("transB", 1L));
    }

    private string MaxPool(MaxPool2d pool, string path, string input)
    {
        var padding = pool.padding ?? [0, 0];
        return graph.Add("MaxPool", path, [input],
            OnnxAttribute.Of("kernel_shape", pool.kernel_size),
            OnnxAttribute.Of("strides", pool.stride ?? pool.kernel_size),
            OnnxAttribute.Of("pads", padding[0], padding[1], padding[0], padding[1]),
            OnnxAttribute.Of("dilations", pool.dilation ?? [1, 1]),
            OnnxAttribute.Of("ceil_mode", pool.ceil_mode ? 1L : 0L));
    }

    // torch's hardsigmoid(x) = relu6(x + 3) / 6 = max(0, min(1, x / 6 + 1/2)).
    private string HardSigmoid(string path, string input) => graph.Add("HardSigmoid", path, [input],
        OnnxAttribute.Of("alpha", 1f / 6), OnnxAttribute.Of("beta", 0.5f));

    private string Scalar(string path, string what, float value) => graph.Constant($"{path}.{what}", [value]);
}
