using Classifier.Core.Model.Pretrained;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Maps the CNTK ResNet18 ONNX graph's initializers (named ParameterNN / ConstantNN, which say nothing about their
/// role) to torchvision's state-dict keys. Each Conv node is followed by the BatchNormalization node that reads its
/// output; walking the Conv nodes in graph order meets them in torchvision's module order, except that the first
/// block of stages 2-4 computes its 1x1 projection shortcut (downsample.0, downsample.1) before its first 3x3 conv,
/// which <see cref="Layout"/> reproduces. Every conv's weight shape and stride and every batch norm's shapes and
/// epsilon are checked against the expected network, so a different graph is refused rather than loaded wrongly.
/// </summary>
internal static class CntkWeightImport
{
    /// <summary>torch.nn.BatchNorm2d's epsilon, which the imported batch norms must have used.</summary>
    private const float Epsilon = 1e-5f;

    /// <summary>One Conv + BatchNormalization pair of the graph and where it goes in torchvision's layout.</summary>
    internal sealed record Slot(string Conv, string Norm, long OutChannels, long InChannels, long Kernel, long Stride);

    /// <summary>The 22 conv + batch-norm pairs in the graph's order (stem, then per block: projection, conv1, conv2).</summary>
    internal static IReadOnlyList<Slot> Layout()
    {
        var slots = new List<Slot> { new("conv1", "bn1", 64, 3, 7, 2) };
        long inChannels = 64;
        for (int stage = 0; stage < CntkResNet18.Layers.Count; stage++)
        {
            long channels = 64L << stage;
            for (int block = 0; block < CntkResNet18.Layers[stage]; block++)
            {
                string prefix = $"layer{stage + 1}.{block}.";
                long stride = stage > 0 && block == 0 ? 2 : 1;
                if (stride != 1 || inChannels != channels)
                    slots.Add(new(prefix + "downsample.0", prefix + "downsample.1", channels, inChannels, 1, stride));
                slots.Add(new(prefix + "conv1", prefix + "bn1", channels, inChannels, 3, stride));
                slots.Add(new(prefix + "conv2", prefix + "bn2", channels, channels, 3, 1));
                inChannels = channels;
            }
        }
        return slots;
    }

    /// <summary>
    /// The backbone state dict (every key but fc.*) from <paramref name="graph"/>, read from <paramref name="path"/>.
    /// </summary>
    public static Dictionary<string, Tensor> ToTorchVision(OnnxGraph graph, string path)
    {
        var layout = Layout();
        var convs = graph.Nodes.Where(n => n.OpType == "Conv").ToList();
        var norms = graph.Nodes.Where(n => n.OpType == "BatchNormalization").ToList();
        if (convs.Count != layout.Count || norms.Count != layout.Count)
            throw NotTheGraph(path, $"expected {layout.Count} Conv and {layout.Count} BatchNormalization nodes, found {convs.Count} and {norms.Count}");
        var normOf = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var norm in norms)
        {
            if (norm.Inputs.Count != 5)
                throw NotTheGraph(path, $"BatchNormalization node '{norm.Name}' has {norm.Inputs.Count} inputs instead of 5 (x, scale, bias, mean, variance)");
            normOf.TryAdd(norm.Inputs[0], norm);
        }

        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < layout.Count; i++)
            {
                var (slot, conv) = (layout[i], convs[i]);
                string where = $"Conv node '{conv.Name}' (number {i + 1}, expected to be {slot.Conv})";
                if (conv.Inputs.Count != 2)
                    throw NotTheGraph(path, $"{where} has {conv.Inputs.Count} inputs instead of 2 (x, weight; no bias)");
                CheckInts(path, where, conv, "strides", [slot.Stride, slot.Stride], defaultValue: [1, 1]);
                CheckInts(path, where, conv, "dilations", [1, 1], defaultValue: [1, 1]);
                if (conv.Attributes.TryGetValue("group", out var group) && group.Int is not (null or 1))
                    throw NotTheGraph(path, $"{where} has group {group.Int} instead of 1");
                Take(conv.Inputs[1], $"{slot.Conv}.weight", [slot.OutChannels, slot.InChannels, slot.Kernel, slot.Kernel]);

                if (conv.Outputs.Count == 0 || !normOf.TryGetValue(conv.Outputs[0], out var norm))
                    throw NotTheGraph(path, $"{where} is not followed by a BatchNormalization node");
                float epsilon = norm.Float("epsilon") ?? Epsilon;
                if (epsilon != Epsilon)
                    throw NotTheGraph(path, $"BatchNormalization node '{norm.Name}' has epsilon {epsilon} instead of {Epsilon}");
                // ONNX BatchNormalization inputs: x, scale, bias, mean, variance.
                Take(norm.Inputs[1], $"{slot.Norm}.weight", [slot.OutChannels]);
                Take(norm.Inputs[2], $"{slot.Norm}.bias", [slot.OutChannels]);
                Take(norm.Inputs[3], $"{slot.Norm}.running_mean", [slot.OutChannels]);
                Take(norm.Inputs[4], $"{slot.Norm}.running_var", [slot.OutChannels]);
                weights.Add($"{slot.Norm}.num_batches_tracked", tensor(0L));
            }
            return weights;
        }
        catch
        {
            foreach (var t in weights.Values) t.Dispose();
            throw;
        }

        void Take(string initializer, string key, long[] shape)
        {
            if (!graph.Initializers.TryGetValue(initializer, out var value))
                throw NotTheGraph(path, $"'{initializer}' (for {key}) is not an initializer");
            if (!used.Add(initializer))
                throw NotTheGraph(path, $"initializer '{initializer}' (for {key}) is used twice");
            if (!value.Dims.SequenceEqual(shape))
                throw NotTheGraph(path, $"'{initializer}' (for {key}) has shape {value.ShapeText} instead of [{string.Join(", ", shape)}]");
            var weight = empty(value.Dims, ScalarType.Float32);
            weights.Add(key, weight);
            // One copy, from the file's bytes into the tensor's CPU storage (both little-endian float32).
            value.Data.Span.CopyTo(weight.bytes);
        }
    }

    private static void CheckInts(string path, string where, OnnxNode node, string attribute, long[] expected, long[] defaultValue)
    {
        var actual = node.Ints(attribute) is { Count: > 0 } ints ? ints.ToArray() : defaultValue;
        if (!actual.SequenceEqual(expected))
            throw NotTheGraph(path, $"{where} has {attribute} [{string.Join(", ", actual)}] instead of [{string.Join(", ", expected)}]");
    }

    private static ClassifierException NotTheGraph(string path, string reason) =>
        new($"'{path}' is not the CNTK ResNet18 graph of Microsoft.ML.DnnImageFeaturizer.ResNet18: {reason}.");
}
