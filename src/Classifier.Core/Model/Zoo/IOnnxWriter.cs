using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// What a zoo entry writes its network's <c>forward</c> code with when the network is exported to ONNX
/// (<see cref="NetworkSpec.OnnxForward"/>). The exporter implements it: leaf layers and <c>Sequential</c> containers
/// it writes itself, so an entry only spells out the modules whose forward is code. Values are named by module path
/// (<c>layer1.0.add</c>); every method returns the name of the value it wrote.
/// </summary>
public interface IOnnxWriter
{
    /// <summary>
    /// Writes <paramref name="parent"/>'s child module <paramref name="name"/> (at <paramref name="path"/>.name, or
    /// <paramref name="writtenAs"/> in its place for a module the forward calls more than once) applied to
    /// <paramref name="input"/>. A missing child stops the export naming <paramref name="parent"/>.
    /// </summary>
    string Child(nn.Module parent, string path, string name, string input, string? writtenAs = null);

    /// <summary>Adds one ONNX node of <paramref name="opType"/> (Relu, Add, Mul) named <paramref name="path"/>.<paramref name="name"/>.</summary>
    string Node(string opType, string path, string name, params string[] inputs);

    /// <summary><c>torch.flatten(x, 1)</c>: [N, C, H, W] to [N, C*H*W].</summary>
    string Flatten(string path, string name, string input);

    /// <summary><c>adaptive_avg_pool2d(x, 1)</c>: the mean of each channel, [N, C, 1, 1].</summary>
    string GlobalAveragePool(string path, string name, string input);

    /// <summary>The error that stops the export at <paramref name="module"/> (at <paramref name="path"/>), saying <paramref name="why"/>.</summary>
    ClassifierException Unsupported(string path, nn.Module module, string why);
}
