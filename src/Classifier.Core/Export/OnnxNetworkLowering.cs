using System.Reflection;
using Classifier.Core.Model;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Model.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Walks a network's module tree and writes each module as ONNX nodes. Sequential containers and leaf layers
/// (<see cref="OnnxLayers"/>) are generic; the composite modules of the networks classify trains - torchvision's
/// ResNet with its basic and bottleneck blocks (and <see cref="CntkBasicBlock"/>, resnet18-cntk's copy of the basic one), MobileNetV2 and V3 with their inverted residual blocks, squeeze-and-
/// excitation, and the Keras-recipe CNN - are written from their <c>forward</c> code in TorchSharp / TorchVision
/// 0.107. Any other module type stops the export with one error naming it, never a graph that silently computes
/// something else.
/// </summary>
internal sealed class OnnxNetworkLowering
{
    // TorchVision's block types are private nested classes: recognised by exact type, read through their children.
    private static readonly Type? ResNetBasicBlock = Nested(typeof(ResNet), "BasicBlock");
    private static readonly Type? ResNetBottleneck = Nested(typeof(ResNet), "Bottleneck");
    private static readonly Type? MobileNetV2Block = Nested(typeof(MobileNetV2), "InvertedResidual");
    private static readonly Type? MobileNetV3Block = Nested(typeof(MobileNetV3), "InvertedResidual");

    private readonly OnnxGraph _graph;
    private readonly OnnxLayers _layers;

    public OnnxNetworkLowering(OnnxGraph graph)
    {
        _graph = graph;
        _layers = new OnnxLayers(graph);
    }

    /// <summary>Emits <paramref name="module"/> (at <paramref name="path"/>, "" for the root) on <paramref name="input"/>; returns the output's name.</summary>
    public string Emit(nn.Module module, string path, string input)
    {
        if (module.training)
            throw new InvalidOperationException("ONNX export needs the network in eval mode.");
        if (_layers.TryEmit(module, path, input) is { } output) return output;
        var type = module.GetType();
        return module switch
        {
            Sequential sequential => Chain(sequential, path, input),
            SeedCnn => KerasRecipe(module, path, input),
            ResNet => ResNetNetwork(module, path, input),
            MobileNetV2 => MobileNet(module, path, input, pool: null),
            MobileNetV3 => MobileNet(module, path, input, pool: "avgpool"),
            torchvision.SqueezeExcitation => SqueezeExcitation(module, path, input),
            _ when type == ResNetBasicBlock => ResidualBlock(module, path, input, ["conv1", "bn1", "relu1", "conv2", "bn2"]),
            CntkBasicBlock => ResidualBlock(module, path, input, ["conv1", "bn1", "relu", "conv2", "bn2"]),
            _ when type == ResNetBottleneck => ResidualBlock(module, path, input,
                ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3"]),
            _ when type == MobileNetV2Block => InvertedResidual(module, path, input, "conv"),
            _ when type == MobileNetV3Block => InvertedResidual(module, path, input, "block"),
            _ => throw OnnxLayers.Unsupported(Display(path), type.FullName ?? type.Name,
                "this module type has no ONNX translation in classify"),
        };
    }

    private string Chain(Sequential sequential, string path, string input)
    {
        var x = input;
        foreach (var (name, child) in sequential.named_children())
            x = Emit(child, Join(path, name), x);
        return x;
    }

    /// <summary>SeedCnn.forward: 3 x (conv, relu, pool), flatten, fc1, relu, dropout, fc2.</summary>
    private string KerasRecipe(nn.Module network, string path, string input)
    {
        var x = input;
        for (int block = 1; block <= SeedCnn.Filters.Length; block++)
        {
            x = Child(network, path, $"conv{block}", x);
            x = _graph.Add("Relu", Join(path, $"relu{block}"), [x]);
            x = Emit(Get(network, path, "pool"), Join(path, $"pool{block}"), x);
        }
        x = _layers.FlattenFrom(1, -1, Join(path, "flatten"), x);
        x = Child(network, path, "fc1", x);
        x = _graph.Add("Relu", Join(path, "relu_fc1"), [x]);
        x = Child(network, path, "dropout", x);
        return Child(network, path, "fc2", x);
    }

    /// <summary>ResNet.forward: maxpool(relu(bn1(conv1(x)))), layer1..4, fc(flatten(avgpool(x))).</summary>
    private string ResNetNetwork(nn.Module network, string path, string input)
    {
        var x = input;
        foreach (var name in new[] { "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "fc" })
            x = Child(network, path, name, x);
        return x;
    }

    /// <summary>
    /// BasicBlock / Bottleneck.forward: the main path (convs, norms and ReLUs in order, without the last ReLU), plus
    /// the input - through <c>downsample</c> when there is one - then ReLU.
    /// </summary>
    private string ResidualBlock(nn.Module block, string path, string input, string[] mainPath)
    {
        var x = input;
        foreach (var name in mainPath) x = Child(block, path, name, x);
        var identity = Children(block).ContainsKey("downsample") ? Child(block, path, "downsample", input) : input;
        var sum = _graph.Add("Add", Join(path, "add"), [x, identity]);
        return _graph.Add("Relu", Join(path, "relu"), [sum]);
    }

    /// <summary>
    /// MobileNetV2 / V3 forward: features, global average pooling (V2 calls adaptive_avg_pool2d itself, V3 has an
    /// avgpool module), flatten(1), classifier.
    /// </summary>
    private string MobileNet(nn.Module network, string path, string input, string? pool)
    {
        var x = Child(network, path, "features", input);
        x = pool is null ? _layers.GlobalAveragePool([1, 1], Join(path, "avgpool"), x) : Child(network, path, pool, x);
        x = _layers.FlattenFrom(1, -1, Join(path, "flatten"), x);
        return Child(network, path, "classifier", x);
    }

    /// <summary>InvertedResidual.forward (V2 and V3): the block's Sequential, plus the input when use_res_connect.</summary>
    private string InvertedResidual(nn.Module block, string path, string input, string body)
    {
        var field = block.GetType().GetField("use_res_connect", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field?.GetValue(block) is not bool residual)
            throw OnnxLayers.Unsupported(Display(path), block.GetType().FullName!, "its residual flag could not be read in this TorchVision version");
        var x = Child(block, path, body, input);
        return residual ? _graph.Add("Add", Join(path, "add"), [x, input]) : x;
    }

    /// <summary>SqueezeExcitation.forward: x * scale_activation(fc2(activation(fc1(avgpool(x))))).</summary>
    private string SqueezeExcitation(nn.Module module, string path, string input)
    {
        var scale = input;
        foreach (var name in new[] { "avgpool", "fc1", "activation", "fc2", "scale_activation" })
            scale = Child(module, path, name, scale);
        return _graph.Add("Mul", Join(path, "mul"), [scale, input]);
    }

    private string Child(nn.Module parent, string path, string name, string input) =>
        Emit(Get(parent, path, name), Join(path, name), input);

    private static nn.Module Get(nn.Module parent, string path, string name) =>
        Children(parent).TryGetValue(name, out var child)
            ? child
            : throw OnnxLayers.Unsupported(Display(path), parent.GetType().FullName!, $"it has no child module '{name}' as its forward expects");

    private static Dictionary<string, nn.Module> Children(nn.Module module) =>
        module.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "(the network)" : path;

    private static Type? Nested(Type outer, string name) => outer.GetNestedType(name, BindingFlags.NonPublic | BindingFlags.Public);
}
