using Classifier.Core;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Pretrained;

/// <summary>
/// The legacy torch.save format's reader on files made here byte by byte (<see cref="LegacyPthFile"/>): tensors with
/// their shapes, strides and offsets, two tensors sharing a storage, and hostile files, each one message.
/// </summary>
public sealed class LegacyPthTests : IDisposable
{
    private const string Shown = "--weights 'old.pth'";
    private const long Bound = 1 << 20;
    private readonly TempDir _dir = new();

    public LegacyPthTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    /// <summary>w: [2, 3] of a 6-float storage; wT: its transpose (same storage, strides [1, 3]); b: 2 of 4 longs from offset 1.</summary>
    private static LegacyPthFile Tiny()
    {
        var file = new LegacyPthFile();
        file.Storages.Add(new("140", "FloatStorage", 6, LegacyPthFile.Floats(1, 2, 3, 4, 5, 6)));
        file.Storages.Add(new("7", "LongStorage", 4, LegacyPthFile.Longs(10, 20, 30, 40)));
        file.Entries.Add(new("w", "140", 0, [2, 3], [3, 1]));
        file.Entries.Add(new("wT", "140", 0, [3, 2], [1, 3]));
        file.Entries.Add(new("b", "7", 1, [2], [1]));
        return file;
    }

    private static Dictionary<string, Tensor> Read(byte[] bytes) => LegacyPth.Read(new MemoryStream(bytes), Shown, Bound);

    [Fact]
    public void TinyLegacyFile_GivesEveryTensorWithItsShapeStrideAndOffset()
    {
        var bytes = Tiny().ToBytes();
        Assert.True(LegacyPth.IsLegacy(new MemoryStream(bytes)));
        using var scope = NewDisposeScope();

        var dict = Read(bytes);

        Assert.Equal(["w", "wT", "b"], dict.Keys);
        Assert.Equal(ScalarType.Float32, dict["w"].dtype);
        Assert.Equal([2L, 3L], dict["w"].shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], dict["w"].data<float>().ToArray());
        Assert.Equal([3L, 2L], dict["wT"].shape);
        Assert.Equal([1f, 4, 2, 5, 3, 6], dict["wT"].contiguous().data<float>().ToArray());
        Assert.Equal(ScalarType.Int64, dict["b"].dtype);
        Assert.Equal([20L, 30L], dict["b"].data<long>().ToArray());
    }

    [Fact]
    public void PickleThatIsNotTorchSaves_SaysItLacksTheMagicNumber()
    {
        byte[] bytes = [0x80, 0x02, (byte)'}', (byte)'.'];
        Assert.True(LegacyPth.IsLegacy(new MemoryStream(bytes)));

        var e = Assert.Throws<ClassifierException>(() => Read(bytes));

        Assert.Contains("not torch.save's magic number", e.Message);
    }

    [Fact]
    public void ZipFormatFile_IsNotTakenForALegacyOne()
    {
        var path = _dir.Combine("zip.pth");
        using (var module = nn.Linear(2, 2)) TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(module, path);
        using var stream = File.OpenRead(path);

        Assert.False(LegacyPth.IsLegacy(stream));
        Assert.False(LegacyPth.IsTar(stream));
    }

    [Fact]
    public void EveryTruncation_IsOneMessageSayingTheFileIsTruncatedOrMalformed()
    {
        var bytes = Tiny().ToBytes();
        for (int length = 4; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ClassifierException>(() => Read(bytes[..length]));
            Assert.Contains(Shown, e.Message);
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("legacy format"), $"cut at {length}: {e.Message}");
        }
    }

    [Fact]
    public void CutInsideTheStorageBytes_SaysTruncated()
    {
        var bytes = Tiny().ToBytes();

        var e = Assert.Throws<ClassifierException>(() => Read(bytes[..^5]));

        Assert.Contains("is truncated", e.Message);
        Assert.Contains("storage '7'", e.Message);
    }

    [Fact]
    public void StorageClaimingMoreThanTheNetworkCouldNeed_IsRefusedBeforeAllocating()
    {
        var file = Tiny();
        file.Storages[0] = file.Storages[0] with { Elements = 1L << 40 };

        var e = Assert.Throws<ClassifierException>(() => Read(file.ToBytes()));

        Assert.True(e.Message.Contains($"more than {Bound:N0} bytes"), e.Message);
    }

    [Fact]
    public void StorageClaimingMoreThanTheFileHolds_SaysTruncated()
    {
        var file = Tiny();
        file.Storages[0] = file.Storages[0] with { Elements = 1000 };

        var e = Assert.Throws<ClassifierException>(() => LegacyPth.Read(new MemoryStream(file.ToBytes()), Shown, long.MaxValue));

        Assert.Contains("is truncated", e.Message);
        Assert.Contains("4,000 bytes", e.Message);
    }

    [Fact]
    public void CountBeforeTheBytesDisagreeingWithThePickle_IsRefused()
    {
        var file = Tiny();
        file.CountOverride = 5;

        var e = Assert.Throws<ClassifierException>(() => Read(file.ToBytes()));

        Assert.Contains("holds 5 elements where its tensor says 6", e.Message);
    }

    [Fact]
    public void TensorReachingPastItsStorage_IsRefused()
    {
        var file = Tiny();
        file.Entries[2] = file.Entries[2] with { Shape = [4], Offset = 1 };

        var e = Assert.Throws<ClassifierException>(() => Read(file.ToBytes()));

        Assert.Contains("the tensor 'b' reaches element 4 of a storage of 4", e.Message);
    }

    [Fact]
    public void FileCallingAnotherPythonFunction_IsRefusedNamingIt()
    {
        var file = Tiny();
        file.Rebuilder = ("os", "system");

        var e = Assert.Throws<ClassifierException>(() => Read(file.ToBytes()));

        Assert.Contains("os.system", e.Message);
    }

    [Fact]
    public void WholeModelSavedWithTorchSave_SaysToSaveItsStateDict()
    {
        var file = Tiny();
        file.PersistentKind = "module";

        var e = Assert.Throws<ClassifierException>(() => Read(file.ToBytes()));

        Assert.Contains("model.state_dict()", e.Message);
    }

    [Fact]
    public void TarFormatOfPyTorchBefore04_IsRefusedSayingHowToResave()
    {
        var path = _dir.Combine("old.pth");
        var tar = new byte[1024];
        "storages"u8.CopyTo(tar);
        "ustar"u8.CopyTo(tar.AsSpan(257));
        File.WriteAllBytes(path, tar);
        var spec = NetworkRegistry.Get("resnet18");
        using var network = spec.Create(3, 32);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, spec, network));

        Assert.Contains("tar format of PyTorch before 0.4", e.Message);
        Assert.Contains("torch.save(torch.load(", e.Message);
    }
}
