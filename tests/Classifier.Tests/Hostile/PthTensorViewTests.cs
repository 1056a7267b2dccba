using System.IO.Compression;
using System.Text;
using Classifier.Core;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Tests.Hostile;

/// <summary>
/// A .pth's tensor views (the _rebuild_tensor_v2 offset, shape and stride) are checked
/// against their storage before libtorch sees them, so a negative or out-of-storage view is one message naming the
/// file (no native backtrace); a valid file whose tensors share one storage, as torch.save writes views, loads with
/// the values PyTorch would give; a pickle of millions of opcodes and a zip entry that inflates past its stated size
/// are refused early.
/// </summary>
public sealed class PthTensorViewTests : IDisposable
{
    private readonly TempDir _dir = new();

    public PthTensorViewTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    /// <summary>A tensor as the pickle describes it: a storage key and type, offset, shape and stride.</summary>
    private sealed record View(string Key, string Type, long StorageElements, long Offset, long[] Shape, long[] Stride);

    public static TheoryData<string, long, long[], long[], string> BadViews => new()
    {
        { "negative size", 0, [-1], [1], "negative size, stride or offset" },
        { "negative stride", 0, [2], [-1], "negative size, stride or offset" },
        { "negative offset", -1, [2], [1], "negative size, stride or offset" },
        { "stride past the storage", 0, [2, 2], [4, 1], "past the 4 elements its storage holds" },
        { "offset past the storage", 3, [2], [1], "past the 4 elements its storage holds" },
        { "sizes without strides", 0, [2, 2], [1], "2 sizes but 1 strides" },
    };

    [Theory]
    [MemberData(nameof(BadViews))]
    public void AViewOutsideItsStorage_IsRefusedBeforeLibtorchSeesIt(string what, long offset, long[] shape, long[] stride, string expected)
    {
        var path = _dir.Combine("bad.pth");
        WritePth(path, [("w", new View("0", "FloatStorage", 4, offset, shape, stride))], new() { ["0"] = new byte[16] });
        using var network = NetworkRegistry.Get("seed-cnn").Create(2, 28);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("seed-cnn"), network));

        Assert.True(e.Message.Contains(expected), $"{what}: {e.Message}");
        Assert.Contains("bad.pth", e.Message);
        Assert.DoesNotContain("frame #", e.Message);
        Assert.DoesNotContain("libc10", e.Message);
    }

    [Fact]
    public void AStateDictWhoseTensorsShareOneStorage_LoadsTheValuesOfEachView()
    {
        var spec = NetworkRegistry.Get("seed-cnn");
        manual_seed(1);
        using var source = spec.Create(2, 28);
        manual_seed(2);
        using var target = spec.Create(2, 28);
        // Every float tensor a view at its own offset into one storage; every int64 tensor (batch norm counters) into another.
        var floats = new MemoryStream();
        var longs = new MemoryStream();
        var tensors = new List<(string, View)>();
        foreach (var (key, tensor) in source.state_dict())
        {
            bool isLong = tensor.dtype == ScalarType.Int64;
            var bytes = isLong ? tensor.contiguous().data<long>().ToArray().SelectMany(BitConverter.GetBytes).ToArray()
                               : tensor.contiguous().data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
            var store = isLong ? longs : floats;
            long offset = store.Length / (isLong ? 8 : 4);
            store.Write(bytes);
            var shape = tensor.shape;
            var stride = new long[shape.Length];
            for (int i = shape.Length - 1, s = 1; i >= 0; s *= (int)shape[i], i--) stride[i] = s;
            tensors.Add((key, new View(isLong ? "1" : "0", isLong ? "LongStorage" : "FloatStorage", 0, offset, shape, stride)));
        }
        var path = _dir.Combine("shared.pth");
        WritePth(path, tensors, new() { ["0"] = floats.ToArray(), ["1"] = longs.ToArray() });

        PretrainedWeights.Load(path, spec, target);

        foreach (var (key, tensor) in source.state_dict())
            Assert.True(tensor.equal(target.state_dict()[key]).all().item<bool>(), key);
    }

    [TorchPythonFact]
    public void AStateDictSavedByTorchWithTensorsSharingAStorage_Loads()
    {
        const string python = "/usr/bin/python3";
        var spec = NetworkRegistry.Get("seed-cnn");
        manual_seed(3);
        using var source = spec.Create(2, 28);
        source.save_py(_dir.Combine("plain.pth"));
        // torch.save of views: every tensor re-made as a slice of one flat storage.
        var script = """
import sys, torch
sd = torch.load(sys.argv[1])
flat = torch.cat([t.reshape(-1).double() for t in sd.values()])
out, at = {}, 0
for k, t in sd.items():
    n = t.numel()
    out[k] = flat[at:at + n].view(t.shape).to(t.dtype) if t.dtype != torch.float32 else None
    at += n
floats = torch.cat([t.reshape(-1) for t in sd.values() if t.dtype == torch.float32])
at = 0
for k, t in sd.items():
    if t.dtype == torch.float32:
        out[k] = floats[at:at + t.numel()].view(t.shape); at += t.numel()
torch.save(out, sys.argv[2])
""";
        var scriptPath = _dir.Combine("views.py");
        File.WriteAllText(scriptPath, script);
        var made = System.Diagnostics.Process.Start(python, [scriptPath, _dir.Combine("plain.pth"), _dir.Combine("views.pth")])!;
        made.WaitForExit();
        Assert.Equal(0, made.ExitCode);
        manual_seed(4);
        using var target = spec.Create(2, 28);

        PretrainedWeights.Load(_dir.Combine("views.pth"), spec, target);

        foreach (var (key, tensor) in source.state_dict())
            Assert.True(tensor.equal(target.state_dict()[key]).all().item<bool>(), key);
    }

    [Fact]
    public void APickleOfMillionsOfOpcodes_IsRefusedByCount()
    {
        // 3 million NONE opcodes: 3 MB, under the 64 MB size limit, deflated to a few kilobytes.
        var pickle = new byte[3_000_002];
        Array.Fill(pickle, (byte)'N');
        pickle[0] = 0x80;
        pickle[1] = 0x02;
        var path = _dir.Combine("nones.pth");
        Zip(path, ("archive/data.pkl", [.. pickle, (byte)'.']));
        using var network = NetworkRegistry.Get("seed-cnn").Create(2, 28);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("seed-cnn"), network));

        Assert.Contains("more than 2,000,000 pickle opcodes", e.Message);
    }

    [Fact]
    public void AZipEntryThatInflatesPastItsStatedSize_IsCaughtWhileInflating()
    {
        // data.pkl is '}' (an empty dict) padded with 1 MB of NONE opcodes; its zip entry then claims 16 bytes.
        var pickle = new byte[(1 << 20) + 4];
        Array.Fill(pickle, (byte)'N');
        pickle[0] = 0x80;
        pickle[1] = 0x02;
        pickle[2] = (byte)'}';
        pickle[^1] = (byte)'.';
        var path = _dir.Combine("liar.pth");
        Zip(path, ("archive/data.pkl", pickle));
        PatchUncompressedSize(path, "archive/data.pkl", (uint)pickle.Length, 16);
        using var network = NetworkRegistry.Get("seed-cnn").Create(2, 28);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("seed-cnn"), network));

        Assert.Contains("liar.pth", e.Message);
        // .NET's zip reader stops at the stated size itself, so the pickle is seen cut short; classify's own read is
        // bounded too (its message when a reader gives more than the entry states).
        Assert.True(e.Message.Contains("inflates to more than the 16 bytes") || e.Message.Contains("ends before its STOP opcode"), e.Message);
    }

    /// <summary>A torch.save-shaped zip: an OrderedDict of _rebuild_tensor_v2 calls over persistent storages.</summary>
    private static void WritePth(string path, IReadOnlyList<(string Key, View View)> tensors, Dictionary<string, byte[]> storages)
    {
        var p = new MemoryStream();
        void Op(char c) => p.WriteByte((byte)c);
        void Text(string s) { var b = Encoding.UTF8.GetBytes(s); Op('X'); p.Write(BitConverter.GetBytes(b.Length)); p.Write(b); }
        void Global(string module, string name) { Op('c'); p.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); }
        void Int(long v) { Op((char)0x8a); Op((char)8); p.Write(BitConverter.GetBytes(v)); } // LONG1, 8 bytes, signed
        void Tuple(long[] items) { Op('('); foreach (var i in items) Int(i); Op('t'); }
        p.Write([0x80, 0x02]);
        Global("collections", "OrderedDict");
        Op(')'); Op('R');
        Op('(');
        foreach (var (key, v) in tensors)
        {
            Text(key);
            Global("torch._utils", "_rebuild_tensor_v2");
            Op('(');
            Op('('); Text("storage"); Global("torch", v.Type); Text(v.Key); Text("cpu"); Int(storages[v.Key].Length / (v.Type == "LongStorage" ? 8 : 4)); Op('t'); Op('Q');
            Int(v.Offset);
            Tuple(v.Shape);
            Tuple(v.Stride);
            Op((char)0x89);
            Global("collections", "OrderedDict"); Op(')'); Op('R');
            Op('t');
            Op('R');
        }
        Op('u');
        Op('.');
        Zip(path, [("archive/data.pkl", p.ToArray()), .. storages.Select(s => ($"archive/data/{s.Key}", s.Value))]);
    }

    private static void Zip(string path, params (string Name, byte[] Content)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entryName, content) in entries)
        {
            using var stream = zip.CreateEntry(entryName, CompressionLevel.Fastest).Open();
            stream.Write(content);
        }
    }

    /// <summary>Rewrites the uncompressed size an entry states, in its local header and in the central directory.</summary>
    private static void PatchUncompressedSize(string path, string name, uint actual, uint claimed)
    {
        var bytes = File.ReadAllBytes(path);
        var nameBytes = Encoding.ASCII.GetBytes(name);
        int patched = 0;
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            uint signature = BitConverter.ToUInt32(bytes, i);
            int sizeAt = signature switch { 0x04034b50 => i + 22, 0x02014b50 => i + 24, _ => -1 };
            int nameAt = signature switch { 0x04034b50 => i + 30, 0x02014b50 => i + 46, _ => -1 };
            if (sizeAt < 0 || !bytes.AsSpan(nameAt, nameBytes.Length).SequenceEqual(nameBytes)) continue;
            if (BitConverter.ToUInt32(bytes, sizeAt) != actual) continue;
            BitConverter.GetBytes(claimed).CopyTo(bytes, sizeAt);
            patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, bytes);
    }
}

/// <summary>A fact that runs only where Debian's python3-torch is installed (to write real torch.save files), and otherwise says so.</summary>
internal sealed class TorchPythonFactAttribute : FactAttribute
{
    public TorchPythonFactAttribute()
    {
        if (!File.Exists("/usr/bin/python3") || !File.Exists("/usr/lib/python3/dist-packages/torch/__init__.py"))
            Skip = "Writes a real torch.save file with /usr/bin/python3 and torch, which are not installed here (apt-get install python3-torch).";
    }
}
