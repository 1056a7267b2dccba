namespace Classifier.Core.Torch;

/// <summary>Where the network runs (the <c>--device</c> option).</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when this build's libtorch has it and a GPU is present, otherwise the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first CUDA GPU; an error where there is none.</summary>
    Cuda,
}
