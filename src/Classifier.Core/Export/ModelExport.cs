using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>The export behind <c>classify export</c>: a model file or run folder to a PyTorch or ONNX file.</summary>
public static class ModelExport
{
    /// <summary>The usual file extension of each format.</summary>
    public static string ExtensionOf(ExportFormat format) => format switch
    {
        ExportFormat.Pt => ".pt",
        ExportFormat.Safetensors => ".safetensors",
        ExportFormat.Onnx => ".onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The format a file name's extension implies (.pt/.pth, .safetensors, .onnx), or null.</summary>
    public static ExportFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pt" or ".pth" => ExportFormat.Pt,
        ".safetensors" => ExportFormat.Safetensors,
        ".onnx" => ExportFormat.Onnx,
        _ => null,
    };

    /// <summary>
    /// Exports <paramref name="model"/> (a model file, or a run folder whose best.cls is used) to
    /// <paramref name="output"/>, atomically. Returns the full path written.
    /// </summary>
    public static string Run(string model, ExportFormat format, string output)
    {
        if (Directory.Exists(output))
            throw new ClassifierException($"-o '{output}' is a folder; give the file to write, e.g. model{ExtensionOf(format)}.");
        var modelPath = RunFolder.ResolveModel(model);
        TorchRuntime.Initialize();
        using var loaded = ModelFile.Load(modelPath);
        loaded.Network.eval();
        Action<Stream, nn.Module<Tensor, Tensor>, ModelInfo> write = format switch
        {
            ExportFormat.Pt => PyTorchExport.WritePt,
            ExportFormat.Safetensors => PyTorchExport.WriteSafetensors,
            ExportFormat.Onnx => (stream, network, info) => OnnxExport.Write(stream, network, info),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        // PyBridge's own path-taking writers open without truncating; our stream is always a fresh temp file.
        AtomicFile.Write(output, stream => write(stream, loaded.Network, loaded.Info));
        return Path.GetFullPath(output);
    }
}
