using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>Raw bytes of tensors for file formats that store them verbatim.</summary>
internal static class TensorBytes
{
    /// <summary>The values of a float32 tensor in row-major (C) order, little-endian, copied from the CPU.</summary>
    public static byte[] Float32(Tensor tensor) => Raw<float>(tensor);

    /// <summary>The values of an int64 tensor (e.g. batch norm's <c>num_batches_tracked</c>), as <see cref="Float32"/>.</summary>
    public static byte[] Int64(Tensor tensor) => Raw<long>(tensor);

    private static byte[] Raw<T>(Tensor tensor) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Exporting needs a little-endian machine.");
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var values = cpu.data<T>().ToArray();
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }
}
