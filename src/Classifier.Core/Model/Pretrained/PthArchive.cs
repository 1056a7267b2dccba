using System.IO.Compression;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// Checks a .pth/.pt zip (torch.save's format) the way PyTorch's reader sees it, before the third-party unpickler
/// reads it: PyTorch takes the record <c>&lt;prefix&gt;/data.pkl</c> under the archive's one top folder and the storages
/// <c>&lt;prefix&gt;/data/&lt;key&gt;</c>, while the unpickler matches names by their ending, so an extra
/// <c>archive/evildata.pkl</c> or <c>archive/x/data/0</c> made classify load other weights than torch.load returns.
/// Archives PyTorch would read differently (several prefixes, an entry name twice, records PyTorch never writes) are
/// refused, and the sizes the entries claim are bounded before anything is inflated.
/// </summary>
internal static class PthArchive
{
    /// <summary>The largest data.pkl accepted: a state dict's pickle is kilobytes; 300 million NONE opcodes are 300 MB.</summary>
    private const long MaxPickleBytes = 64L << 20;

    /// <summary>The records torch.save writes besides data.pkl and data/&lt;key&gt;.</summary>
    private static readonly HashSet<string> KnownRecords = new(StringComparer.Ordinal)
    {
        "version", ".data/version", "byteorder", ".data/serialization_id", ".format_version", ".storage_alignment",
    };

    /// <summary>
    /// Throws <see cref="ClassifierException"/> naming <paramref name="shown"/> when the archive is not one PyTorch reads
    /// the same way, or its storages claim more than <paramref name="maxDataBytes"/> (what the network's tensors could
    /// need), or its pickle fails <see cref="PthPickle"/>'s checks. Leaves the stream at its start.
    /// </summary>
    public static PthPickle.Result Check(Stream stream, string shown, long maxDataBytes)
    {
        stream.Position = 0;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var names = new HashSet<string>(StringComparer.Ordinal);
            string? prefix = null;
            bool hasPickle = false;
            long dataBytes = 0;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                if (!names.Add(name)) throw Bad(shown, $"the entry '{name}' appears twice");
                int slash = name.IndexOf('/');
                if (slash <= 0) throw Bad(shown, $"the entry '{name}' is outside the archive's top folder");
                var top = name[..slash];
                if (prefix is not null && top != prefix)
                    throw Bad(shown, $"it has two top folders ('{prefix}' and '{top}'); torch.save writes one");
                prefix = top;
                var record = name[(slash + 1)..];
                if (record == "data.pkl")
                {
                    hasPickle = true;
                    if (entry.Length > MaxPickleBytes) throw Bad(shown, $"its data.pkl claims {entry.Length:N0} bytes (limit {MaxPickleBytes:N0}); a state dict's pickle is far smaller");
                }
                else if (record.StartsWith("data/", StringComparison.Ordinal) && record.Length > 5 && !record[5..].Contains('/'))
                {
                    dataBytes += entry.Length;
                    if (dataBytes > maxDataBytes)
                        throw Bad(shown, $"its storages claim more than {maxDataBytes:N0} bytes, more than the network's tensors could need");
                }
                else if (!KnownRecords.Contains(record) && !record.StartsWith(".data/", StringComparison.Ordinal))
                    throw Bad(shown, $"it holds the record '{name}', which torch.save does not write (PyTorch would ignore it; classify's reader might not)");
            }
            if (!hasPickle) throw Bad(shown, $"it has no '{prefix ?? "archive"}/data.pkl'");
            // The pickle itself: opcodes counted, inflated size bounded, tensor views checked against their storages.
            return PthPickle.Scan(zip, prefix!, shown, MaxPickleBytes);
        }
        // Not a zip at all (InvalidDataException) is left to the caller, which names the file "could not be read".
        finally
        {
            stream.Position = 0;
        }
    }

    private static ClassifierException Bad(string shown, string problem) =>
        new($"{shown} is not a PyTorch state dict as torch.save writes it: {problem}.");
}
