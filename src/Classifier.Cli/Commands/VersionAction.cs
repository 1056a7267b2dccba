using System.CommandLine;
using System.CommandLine.Invocation;
using Classifier.Core;
using Classifier.Core.Torch;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify --version</c>: the tool, TorchSharp, libtorch and ONNX Runtime versions, and whether they load here (which
/// makes it the quickest check of an installation). Only this option loads libtorch; <c>--help</c> never does.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine($"classify {ToolInfo.Version}");
        output.WriteLine($"TorchSharp {TorchRuntime.TorchSharpVersion}");
        output.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} ({LibTorchStatus()})");
        output.WriteLine($"ONNX Runtime {Core.Inference.InferenceNetwork.OnnxRuntimeStatus}");
        return ExitCodes.Ok;
    }

    private static string LibTorchStatus()
    {
        try
        {
            TorchRuntime.Initialize();
            return DeviceSelection.CudaAvailable() ? "loaded; CUDA available" : "loaded; CPU, no CUDA";
        }
        catch (ClassifierException e)
        {
            return $"does not load: {e.Message}";
        }
    }
}
