using System.IO.Compression;
using TorchSharp;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// A first pass over a .pth's <c>data.pkl</c>, before the pickle library or libtorch sees it. It reads the record
/// through a bounded stream (an entry that inflates past the size it claims is caught while inflating), counts the
/// opcodes (a state dict needs tens per tensor; 300 million NONE opcodes deflate into 292 KB), and follows the
/// opcodes torch.save writes for a state dict far enough to see every tensor's <c>_rebuild_tensor_v2</c> arguments:
/// storage, offset, shape and stride are checked against the storage's real size, so libtorch never gets a view it
/// would reject with a native backtrace. Opcodes beyond that set stop the following (the count goes on), and the
/// pickle library then reads the file as before.
/// </summary>
internal static class PthPickle
{
    /// <summary>Opcodes accepted in one data.pkl: about 30 per tensor, so room for 60,000 tensors.</summary>
    public const long MaxOpcodes = 2_000_000;

    /// <summary>A storage the pickle names: the archive record <c>data/&lt;Key&gt;</c>, its element type and size.</summary>
    internal sealed record Storage(string Key, string Type, int ElementSize, long Bytes);

    /// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it, checked to lie inside its storage.</summary>
    internal sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>What the pass found: the tensors by state dict key when it could follow the whole pickle, else null.</summary>
    internal sealed record Result(string Prefix, long Opcodes, IReadOnlyDictionary<string, TensorView>? Tensors)
    {
        /// <summary>Whether some tensors share a storage, or view part of one (PyTorch writes views of one storage so).</summary>
        public bool HasViews => Tensors is not null && (Tensors.Values.GroupBy(t => t.Storage.Key).Any(g => g.Count() > 1)
            || Tensors.Values.Any(t => t.Offset != 0 || !IsContiguous(t) || Numel(t.Shape) * t.Storage.ElementSize != t.Storage.Bytes));
    }

    /// <summary>
    /// Reads <c>&lt;prefix&gt;/data.pkl</c> of <paramref name="zip"/> (at most <paramref name="maxPickleBytes"/> bytes,
    /// and not more than its entry claims) and checks it as described above; throws <see cref="ClassifierException"/>
    /// naming <paramref name="shown"/>.
    /// </summary>
    public static Result Scan(ZipArchive zip, string prefix, string shown, long maxPickleBytes)
    {
        var entry = zip.GetEntry(prefix + "/data.pkl")!;
        var storages = zip.Entries.Where(e => e.FullName.StartsWith(prefix + "/data/", StringComparison.Ordinal))
            .ToDictionary(e => e.FullName[(prefix.Length + 6)..], e => e.Length, StringComparer.Ordinal);
        byte[] pickle;
        using (var stream = entry.Open())
            pickle = ReadBounded(stream, Math.Min(entry.Length, maxPickleBytes), $"{shown}: its data.pkl");
        return new PthPickleWalker(pickle, storages, shown).Run(prefix);
    }

    /// <summary>
    /// Reads a zip record whose entry claims <paramref name="claimed"/> bytes, refusing one that inflates to more: the
    /// size in the zip's directory is the attacker's word, the inflated bytes are what memory holds.
    /// </summary>
    public static byte[] ReadBounded(Stream stream, long claimed, string shown)
    {
        if (claimed > Array.MaxLength) throw new ClassifierException($"{shown} claims {claimed:N0} bytes, more than can be read.");
        var buffer = new byte[claimed];
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new ClassifierException($"{shown} holds {read:N0} bytes, not the {claimed:N0} its zip entry claims; the file is damaged.");
            read += n;
        }
        if (stream.ReadByte() >= 0)
            throw new ClassifierException($"{shown} inflates to more than the {claimed:N0} bytes its zip entry claims; the file is damaged or crafted.");
        return buffer;
    }

    /// <summary>
    /// The state dict of a scanned archive whose tensors share storages or view parts of them (which the pickle
    /// library's reader cannot build): each storage read once, bounded by its entry, and each tensor copied out of it
    /// with its checked offset, shape and stride, as torch.load's tensors hold the same values.
    /// </summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> ReadViews(ZipArchive zip, Result scan, string shown)
    {
        var storages = new Dictionary<string, TorchSharp.torch.Tensor>(StringComparer.Ordinal);
        var result = new Dictionary<string, TorchSharp.torch.Tensor>(StringComparer.Ordinal);
        foreach (var (name, view) in scan.Tensors!)
        {
            if (!storages.TryGetValue(view.Storage.Key, out var storage))
            {
                var entry = zip.GetEntry($"{scan.Prefix}/data/{view.Storage.Key}")!;
                byte[] bytes;
                using (var stream = entry.Open())
                    bytes = ReadBounded(stream, entry.Length, $"{shown}: its storage 'data/{view.Storage.Key}'");
                storage = TorchSharp.torch.empty(bytes.Length / view.Storage.ElementSize, ScalarType(view.Storage.Type));
                storage.ReadBytesFromStream(new MemoryStream(bytes));
                storages[view.Storage.Key] = storage;
            }
            result[name] = storage.as_strided(view.Shape, view.Stride, view.Offset).clone();
        }
        return result;
    }

    private static TorchSharp.torch.ScalarType ScalarType(string storageType) => storageType switch
    {
        "DoubleStorage" => TorchSharp.torch.ScalarType.Float64,
        "FloatStorage" => TorchSharp.torch.ScalarType.Float32,
        "HalfStorage" => TorchSharp.torch.ScalarType.Float16,
        "BFloat16Storage" => TorchSharp.torch.ScalarType.BFloat16,
        "LongStorage" => TorchSharp.torch.ScalarType.Int64,
        "IntStorage" => TorchSharp.torch.ScalarType.Int32,
        "ShortStorage" => TorchSharp.torch.ScalarType.Int16,
        "CharStorage" => TorchSharp.torch.ScalarType.Int8,
        "ByteStorage" => TorchSharp.torch.ScalarType.Byte,
        "BoolStorage" => TorchSharp.torch.ScalarType.Bool,
        "ComplexDoubleStorage" => TorchSharp.torch.ScalarType.ComplexFloat64,
        _ => TorchSharp.torch.ScalarType.ComplexFloat32,
    };

    private static long Numel(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private static bool IsContiguous(TensorView t)
    {
        long expected = 1;
        for (int i = t.Shape.Length - 1; i >= 0; i--)
        {
            if (t.Shape[i] != 1 && t.Stride[i] != expected) return false;
            expected *= t.Shape[i];
        }
        return true;
    }
}
