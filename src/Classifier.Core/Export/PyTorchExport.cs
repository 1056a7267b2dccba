using System.Collections;
using Classifier.Core.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes the network's state dict for PyTorch: the keys and dtypes TorchSharp's <c>state_dict()</c> gives, which for the
/// TorchVision networks are exactly torchvision's (float32 tensors, int64 <c>num_batches_tracked</c> scalars), so
/// <c>load_state_dict(..., strict=True)</c> accepts them; for <see cref="Model.Zoo.SeedCnn"/> (conv1.weight ... fc2.bias)
/// they are the attribute names of the PyTorch rebuild in docs/export.md.
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
        foreach (var (key, value) in ExportMetadata.For(info, network)) checkpoint[key] = value;
        checkpoint["state_dict"] = stateDict;
        checkpoint["class_names"] = info.ClassNames.ToList();
        PyTorchPickler.PickleStateDict(stream, checkpoint, leaveOpen: true);
    }

    /// <summary>A safetensors file with the state dict and the <see cref="ExportMetadata"/> as <c>__metadata__</c>.</summary>
    public static void WriteSafetensors(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info) =>
        SafetensorsFile.Write(stream, network.state_dict().ToList(), ExportMetadata.For(info, network));
}
