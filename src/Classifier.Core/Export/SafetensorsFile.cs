using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range plus a <c>__metadata__</c> object of strings, then the raw little-endian tensor bytes.
/// TorchSharp.PyBridge 1.4.4 reads these files (its writer cannot add <c>__metadata__</c>, hence this writer).
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Writes float32 and int64 <paramref name="tensors"/> (in the given order) and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (key, value) in metadata) meta[key] = value;
        header["__metadata__"] = meta;
        var payloads = new List<byte[]>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var (dtype, bytes) = tensor.dtype switch
            {
                ScalarType.Float32 => ("F32", TensorBytes.Float32(tensor)),
                // Batch norm's num_batches_tracked: PyTorch keeps it as an int64 scalar.
                ScalarType.Int64 => ("I64", TensorBytes.Int64(tensor)),
                _ => throw new ArgumentException($"Tensor '{name}' is {tensor.dtype}; only float32 and int64 are exported.", nameof(tensors)),
            };
            var shape = new JsonArray();
            foreach (var dim in tensor.shape) shape.Add(dim);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = shape,
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            payloads.Add(bytes);
            offset += bytes.Length;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString(ExportMetadata.Json));
        // The format allows trailing spaces in the header; padding to 8 bytes keeps the tensor data aligned.
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var payload in payloads) stream.Write(payload);
    }
}
