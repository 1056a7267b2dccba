using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>A named constant of an ONNX graph: its ONNX data type, shape and little-endian raw bytes.</summary>
internal sealed record OnnxInitializer(string Name, long DataType, long[] Shape, byte[] RawData)
{
    /// <summary>ONNX TensorProto.DataType values.</summary>
    public const long Float32Type = 1, Int64Type = 7;

    public static OnnxInitializer Of(string name, Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => new(name, Float32Type, tensor.shape, TensorBytes.Float32(tensor)),
        ScalarType.Int64 => new(name, Int64Type, tensor.shape, TensorBytes.Int64(tensor)),
        _ => throw new ArgumentException($"Tensor '{name}' is {tensor.dtype}; only float32 and int64 are exported.", nameof(tensor)),
    };

    public static OnnxInitializer Float32(string name, float[] values, long[] shape) =>
        new(name, Float32Type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static OnnxInitializer Int64(string name, long[] values, long[] shape) =>
        new(name, Int64Type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
