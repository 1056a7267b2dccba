namespace Classifier.Core.Export;

/// <summary>
/// Field numbers of the small ONNX messages the exporter nests inside the model and graph (onnx.proto, IR version 7),
/// so that each <see cref="ProtoMessage"/> call names the field it writes.
/// </summary>
internal static class OnnxFieldNumbers
{
    /// <summary>OperatorSetIdProto: the operator set the graph uses.</summary>
    public const int OpsetDomain = 1, OpsetVersion = 2;

    /// <summary>StringStringEntryProto: one metadata_props entry.</summary>
    public const int EntryKey = 1, EntryValue = 2;

    /// <summary>TensorShapeProto.dim, and in each Dimension a fixed size or a symbolic (dynamic) name.</summary>
    public const int ShapeDim = 1, DimValue = 1, DimParam = 2;

    /// <summary>TypeProto.Tensor: element type and shape.</summary>
    public const int TensorElemType = 1, TensorShape = 2;

    /// <summary>TypeProto: its tensor_type.</summary>
    public const int TypeTensorType = 1;

    /// <summary>ValueInfoProto: a graph input's or output's name and type.</summary>
    public const int ValueInfoName = 1, ValueInfoType = 2;
}
