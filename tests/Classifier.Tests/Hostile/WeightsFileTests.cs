using System.IO.Compression;
using System.Text;
using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// <c>--weights</c> files with None/null where a tensor belongs, invalid safetensors (overlapping data, a key twice, a negative dimension, a header larger than the file), and pickles
/// naming Python classes give one line a user can act on: no NullReferenceException, no advice to the pickle library's
/// developers, nothing loaded that the reference reader would refuse.
/// </summary>
public sealed class WeightsFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Files => new()
    {
        { "none.pth", "holds None instead of a state dict" },
        { "none-storage.pth", "holds None (null) where a tensor" },
        { "null.safetensors", "'x' is null where a tensor belongs" },
        { "overlap.safetensors", "the data of 'a' and 'b' overlap" },
        { "twice.safetensors", "key 'a' appears twice" },
        { "negative.safetensors", "negative dimension -1" },
        { "huge-header.safetensors", "its header claims 1,000,000,000 bytes" },
        { "global.pth", "a state dict holds only tensors" },
        { "evil.pth", "the record 'archive/evildata.pkl', which torch.save does not write" },
        { "swap.pth", "the record 'archive/x/data/0', which torch.save does not write" },
        { "two-prefixes.pth", "two top folders ('a' and 'b')" },
        { "twice.pth", "the entry 'archive/data.pkl' appears twice" },
        { "storage-bomb.pth", "its storages claim more than" },
        { "opcode-bomb.pth", "its data.pkl claims 67,108,865 bytes" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task AWeightsFileWithNullsOrForeignClasses_IsOneLineForTheUser(string name, string expected)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 2, size: 32);
        var weights = Write(name);

        var result = await CliRun.Of("train", data, "--model", "resnet18", "--image-size", "32", "--epochs", "1", "--weights", weights, "-o", _dir.Combine("run"));

        Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
        Assert.True(result.Error.Contains(expected), result.ToString());
        Assert.DoesNotContain("IObjectConstructor", result.Error);
        Assert.DoesNotContain("NullReferenceException", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    private string Write(string name)
    {
        var path = _dir.Combine(name);
        switch (name)
        {
            case "none.pth":
                Zip(path, ("archive/data.pkl", [0x80, 0x02, (byte)'N', (byte)'.']));
                break;
            case "none-storage.pth":
                // {'w': torch._utils._rebuild_tensor_v2(None, 0, (1,), (1,), False, OrderedDict())}
                Zip(path, ("archive/data.pkl", Pickle("}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n(NK\u0000K\u0001\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.")));
                break;
            case "evil.pth":
                Zip(path, ("archive/evildata.pkl", [0x80, 0x02, (byte)'}', (byte)'.']), ("archive/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']));
                break;
            case "swap.pth":
                Zip(path, ("archive/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']), ("archive/data/0", new byte[4]), ("archive/x/data/0", new byte[4]));
                break;
            case "two-prefixes.pth":
                Zip(path, ("a/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']), ("b/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']));
                break;
            case "twice.pth":
                Zip(path, ("archive/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']), ("archive/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']));
                break;
            case "storage-bomb.pth":
                // One deflated entry of 400 MB of zeros: more than resnet18's tensors could need (about 250 MB as bounded).
                Zip(path, ("archive/data.pkl", [0x80, 0x02, (byte)'}', (byte)'.']), ("archive/data/0", new byte[400 << 20]));
                break;
            case "opcode-bomb.pth":
                var nones = new byte[(64 << 20) + 1];
                Array.Fill(nones, (byte)'N');
                Zip(path, ("archive/data.pkl", nones));
                break;
            case "global.pth":
                Zip(path, ("archive/data.pkl", Pickle("cos\nsystem\n(X\u0004\u0000\u0000\u0000truetR.")));
                break;
            case "huge-header.safetensors":
                File.WriteAllBytes(path, [.. BitConverter.GetBytes(1_000_000_000L), (byte)'{', (byte)'}']);
                break;
            default:
                var header = name switch
                {
                    "overlap.safetensors" => """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""",
                    "twice.safetensors" => """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""",
                    "negative.safetensors" => """{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}""",
                    _ => """{"x": null}""",
                };
                var bytes = Encoding.UTF8.GetBytes(header);
                File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)bytes.Length), .. bytes, .. new byte[16]]);
                break;
        }
        return path;
    }

    /// <summary>Protocol 2 pickle: the PROTO opcode, then <paramref name="opcodes"/> given as Latin-1 text.</summary>
    private static byte[] Pickle(string opcodes) => [0x80, 0x02, .. Encoding.Latin1.GetBytes(opcodes)];

    private static void Zip(string path, params (string Name, byte[] Content)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entryName, content) in entries)
        {
            using var stream = zip.CreateEntry(entryName, content.Length > 1 << 20 ? CompressionLevel.Fastest : CompressionLevel.NoCompression).Open();
            stream.Write(content);
        }
    }
}
