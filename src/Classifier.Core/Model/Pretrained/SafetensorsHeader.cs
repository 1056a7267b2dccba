using System.Buffers.Binary;
using System.Text.Json;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// Checks a .safetensors file's header as the reference implementation (huggingface/safetensors) does, before the
/// third-party reader sees it: a header length bounded by the file's real size (a 10-byte file declaring a 1e9-byte
/// header allocated 3.1 GB), no key given twice (the last one silently won), no null entry, known dtypes, non-negative
/// shapes whose byte size matches the entry's data offsets, and data ranges that neither overlap nor leave the file.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>The reference implementation's limit on the header's JSON (100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> DtypeBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1, ["I16"] = 2, ["U16"] = 2, ["F16"] = 2,
        ["BF16"] = 2, ["I32"] = 4, ["U32"] = 4, ["F32"] = 4, ["F64"] = 8, ["I64"] = 8, ["U64"] = 8,
    };

    /// <summary>Throws <see cref="ClassifierException"/> naming <paramref name="shown"/> when the header is not one the reference reader accepts. Leaves the stream at its start.</summary>
    public static void Check(Stream stream, string shown)
    {
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw Bad(shown, "it is shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            throw Bad(shown, $"its header claims {headerLength:N0} bytes but the file holds {fileLength - 8:N0} after the length (limit {MaxHeaderBytes:N0})");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        stream.Position = 0;

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var ranges = new List<(long Begin, long End, string Key)>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(shown, "its header is not a JSON object");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (!keys.Add(entry.Name)) throw Bad(shown, $"key '{entry.Name}' appears twice in its header");
                if (entry.Name == "__metadata__") continue;
                var value = entry.Value;
                if (value.ValueKind != JsonValueKind.Object)
                    throw Bad(shown, $"'{entry.Name}' is {value.ValueKind.ToString().ToLowerInvariant()} where a tensor belongs");
                var dtype = value.GetProperty("dtype").GetString() ?? "";
                if (!DtypeBytes.TryGetValue(dtype, out int size)) throw Bad(shown, $"'{entry.Name}' has an unknown dtype '{dtype}'");
                long bytes = size;
                foreach (var dimension in value.GetProperty("shape").EnumerateArray())
                {
                    long d = dimension.GetInt64();
                    if (d < 0) throw Bad(shown, $"'{entry.Name}' has a negative dimension {d}");
                    bytes = d == 0 ? 0 : bytes > long.MaxValue / d ? throw Bad(shown, $"'{entry.Name}' has a shape too large for any file") : bytes * d;
                }
                var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw Bad(shown, $"'{entry.Name}' has data offsets [{string.Join(", ", offsets)}] outside the {dataLength:N0} data bytes");
                if (offsets[1] - offsets[0] != bytes)
                    throw Bad(shown, $"'{entry.Name}' spans {offsets[1] - offsets[0]:N0} bytes but its dtype and shape need {bytes:N0}");
                ranges.Add((offsets[0], offsets[1], entry.Name));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Bad(shown, $"its header is not valid safetensors JSON ({e.Message})");
        }
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        for (int i = 1; i < ranges.Count; i++)
            if (ranges[i].Begin < ranges[i - 1].End)
                throw Bad(shown, $"the data of '{ranges[i - 1].Key}' and '{ranges[i].Key}' overlap");
    }

    private static ClassifierException Bad(string shown, string problem) =>
        new($"{shown} is not a valid .safetensors file: {problem}.");
}
