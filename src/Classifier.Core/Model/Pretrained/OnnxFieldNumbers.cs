namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// Field numbers and enum values of the ONNX messages classify reads (<see cref="OnnxReader"/>) and writes (Export's
/// <c>OnnxExport</c>, which depends on this folder, not the other way), from onnx.proto (onnx/onnx); none has changed
/// since IR version 3. One table for both, so each read and each written field names the field it means.
/// </summary>
internal static class OnnxFieldNumbers
{
    /// <summary>ModelProto.</summary>
    public static class ModelProto
    {
        public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Graph = 7, OpsetImport = 8, MetadataProps = 14;
    }

    /// <summary>OperatorSetIdProto: the operator set the graph uses.</summary>
    public static class OperatorSetProto
    {
        public const int Domain = 1, Version = 2;
    }

    /// <summary>GraphProto.</summary>
    public static class GraphProto
    {
        public const int Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12;
    }

    /// <summary>NodeProto.</summary>
    public static class NodeProto
    {
        public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5;
    }

    /// <summary>AttributeProto, and its AttributeType values.</summary>
    public static class AttributeProto
    {
        public const int Name = 1, Float = 2, Int = 3, Floats = 7, Ints = 8, Type = 20;
        public const long TypeFloat = 1, TypeInt = 2, TypeInts = 7;
    }

    /// <summary>TensorProto, its DataType FLOAT and DataLocation EXTERNAL.</summary>
    public static class TensorProto
    {
        public const int Dims = 1, DataType = 2, FloatData = 4, Name = 8, RawData = 9, DataLocation = 14;
        public const long Float32 = 1, ExternalLocation = 1;
    }

    /// <summary>ValueInfoProto: a graph input's or output's name and type.</summary>
    public static class ValueInfoProto
    {
        public const int Name = 1, Type = 2;
    }

    /// <summary>TypeProto (its tensor_type) and TypeProto.Tensor (element type and shape).</summary>
    public static class TypeProto
    {
        public const int TensorType = 1, ElementType = 1, Shape = 2;
    }

    /// <summary>TensorShapeProto.dim, and in each Dimension a fixed size or a symbolic (dynamic) name.</summary>
    public static class Shape
    {
        public const int Dim = 1, DimValue = 1, DimParam = 2;
    }

    /// <summary>StringStringEntryProto: one metadata_props entry.</summary>
    public static class Entry
    {
        public const int Key = 1, Value = 2;
    }
}
