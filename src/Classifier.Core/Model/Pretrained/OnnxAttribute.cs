namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// The numeric parts of one ONNX AttributeProto (string, tensor and graph attributes are not needed and not kept).
/// </summary>
/// <param name="Int">AttributeProto.i, when present.</param>
/// <param name="Float">AttributeProto.f, when present.</param>
/// <param name="Ints">AttributeProto.ints (empty when absent).</param>
/// <param name="Floats">AttributeProto.floats (empty when absent).</param>
internal sealed record OnnxAttribute(long? Int, float? Float, IReadOnlyList<long> Ints, IReadOnlyList<float> Floats);
