using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>Raw bytes of tensors for file formats that store them verbatim.</summary>
internal static class TensorBytes
{
    /// <summary>The values of a float32 tensor in row-major (C) order, little-endian, copied from the CPU.</summary>
    public static byte[] Float32(Tensor tensor)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Exporting needs a little-endian machine.");
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var values = cpu.data<float>().ToArray();
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }
}
