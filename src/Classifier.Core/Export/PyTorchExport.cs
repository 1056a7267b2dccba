using System.Collections;
using Classifier.Core.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes the network's state dict for PyTorch. Keys are those of <see cref="KerasRecipeCnn"/> (conv1.weight ... fc2.bias),
/// which are also the attribute names of the PyTorch rebuild in the README.
/// </summary>
internal static class PyTorchExport
{
    /// <summary>
    /// A <c>torch.load</c>-able pickle (TorchSharp.PyBridge) holding a dict: <c>state_dict</c>, <c>class_names</c>
    /// (list of str) and the other <see cref="ExportMetadata"/> entries as strings (<c>preprocessing</c> is JSON text).
    /// Only tensors, lists, ints and strings, so it loads with <c>weights_only=True</c> even in PyTorch 1.13, whose
    /// safe unpickler refuses floats.
    /// </summary>
    public static void WritePt(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info)
    {
        using var scope = NewDisposeScope();
        var stateDict = new Hashtable();
        foreach (var (name, tensor) in network.state_dict())
            stateDict[name] = tensor.detach().cpu();
        var checkpoint = new Hashtable();
        foreach (var (key, value) in ExportMetadata.For(info)) checkpoint[key] = value;
        checkpoint["state_dict"] = stateDict;
        checkpoint["class_names"] = info.ClassNames.ToList();
        PyTorchPickler.PickleStateDict(stream, checkpoint, leaveOpen: true);
    }

    /// <summary>A safetensors file with the state dict and the <see cref="ExportMetadata"/> as <c>__metadata__</c>.</summary>
    public static void WriteSafetensors(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info) =>
        SafetensorsFile.Write(stream, network.state_dict().ToList(), ExportMetadata.For(info));
}
