using System.Runtime.InteropServices;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// One float32 ONNX TensorProto (an initializer). <see cref="Data"/> is usually a slice of the file's bytes, not a
/// copy, so a 64 MB model costs 64 MB to read.
/// </summary>
/// <param name="Name">Initializer name, e.g. "Parameter5".</param>
/// <param name="Dims">Shape.</param>
/// <param name="Data">Elements in row-major order as little-endian float32 bytes, 4 x the product of <paramref name="Dims"/>.</param>
internal sealed record OnnxTensor(string Name, long[] Dims, ReadOnlyMemory<byte> Data)
{
    /// <summary>The elements, in row-major order.</summary>
    public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(Data.Span);

    /// <summary>The shape written as PyTorch prints it, e.g. "[64, 3, 7, 7]".</summary>
    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}
