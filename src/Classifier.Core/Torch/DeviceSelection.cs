using TorchSharp;

namespace Classifier.Core.Torch;

/// <summary>
/// The one place that turns <c>--device</c> into a torch device. CUDA needs a CUDA build of libtorch, which is a
/// build-time package choice (<c>-p:TorchDevice=cuda</c>, see the README); the default build carries the CPU
/// libtorch only, so <see cref="ComputeDevice.Auto"/> gives the CPU there and <see cref="ComputeDevice.Cuda"/> is
/// refused with a message that says why.
/// </summary>
public static class DeviceSelection
{
    /// <summary>
    /// The device for <paramref name="choice"/>. Loads libtorch if needed. Throws <see cref="ClassifierException"/>
    /// naming <c>--device</c> when CUDA is asked for and not available.
    /// </summary>
    public static torch.Device Resolve(ComputeDevice choice)
    {
        TorchRuntime.Initialize();
        return choice switch
        {
            ComputeDevice.Cpu => torch.CPU,
            ComputeDevice.Cuda when CudaAvailable() => torch.CUDA,
            ComputeDevice.Cuda => throw new ClassifierException(
                "--device cuda: CUDA is not available here. This build carries the CPU-only libtorch (TorchSharp-cpu) " +
                "or no NVIDIA GPU and driver were found; use --device cpu, or build with -p:TorchDevice=cuda on a machine with a GPU."),
            ComputeDevice.Auto => CudaAvailable() ? torch.CUDA : torch.CPU,
            _ => throw new ArgumentOutOfRangeException(nameof(choice), choice, null),
        };
    }

    /// <summary>Whether libtorch can run on a CUDA GPU in this process (false with the CPU-only package).</summary>
    public static bool CudaAvailable()
    {
        try
        {
            return torch.cuda.is_available();
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException)
        {
            // The CPU-only package has no CUDA backend to load; that is "not available", not a failure.
            return false;
        }
    }
}
