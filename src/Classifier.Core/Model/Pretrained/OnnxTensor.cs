namespace Classifier.Core.Model.Pretrained;

/// <summary>One float32 ONNX TensorProto (an initializer), values in row-major order.</summary>
/// <param name="Name">Initializer name, e.g. "Parameter5".</param>
/// <param name="Dims">Shape.</param>
/// <param name="Values">Elements; as many as the product of <paramref name="Dims"/>.</param>
internal sealed record OnnxTensor(string Name, long[] Dims, float[] Values)
{
    /// <summary>The shape written as PyTorch prints it, e.g. "[64, 3, 7, 7]".</summary>
    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}
