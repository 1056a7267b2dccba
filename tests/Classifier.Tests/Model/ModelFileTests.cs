using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp;

namespace Classifier.Tests.Model;

public sealed class ModelFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ModelFileTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    private static ModelInfo Info(int classes, int size) => new(NetworkRegistry.DefaultName,
        Enumerable.Range(0, classes).Select(i => $"c{i}").ToList(), new Preprocessing(size, Interpolation.Bilinear, 1f / 255),
        3, new Dictionary<string, double> { ["val_accuracy"] = 0.5 }, "test", "test", DateTime.UtcNow);

    private string SaveOne(out float[] logits)
    {
        torch.manual_seed(3);
        using var model = new SeedCnn(3, 28);
        model.eval();
        using var input = torch.rand(2, 3, 28, 28, generator: new torch.Generator(5));
        using (var output = model.forward(input)) logits = output.data<float>().ToArray();
        var path = _dir.Combine("m.cls");
        ModelFile.Save(path, model, Info(3, 28));
        return path;
    }

    [Fact]
    public void SaveThenLoad_GivesIdenticalLogits_AndTheSameInfo()
    {
        var path = SaveOne(out var before);

        using var loaded = ModelFile.Load(path);
        loaded.Network.eval();
        using var input = torch.rand(2, 3, 28, 28, generator: new torch.Generator(5));
        using var output = loaded.Network.forward(input);

        Assert.Equal(before, output.data<float>().ToArray());
        Assert.Equal(["c0", "c1", "c2"], loaded.Info.ClassNames);
        Assert.Equal(new Preprocessing(28, Interpolation.Bilinear, 1f / 255), loaded.Info.Preprocessing);
        Assert.Equal(3, loaded.Info.Epoch);
    }

    [Fact]
    public void Load_OfAForeignFile_SaysItIsNotAModelFile()
    {
        var path = _dir.Combine("photo.cls");
        File.WriteAllText(path, "GIF89a and so on");
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains("not a classify model file", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_OfATruncatedFile_SaysItIsDamaged()
    {
        var path = SaveOne(out _);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains("damaged", e.Message);
    }

    [Fact]
    public void Load_OfAFileWithAFlippedByte_FailsItsChecksum()
    {
        var path = SaveOne(out _);
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void Load_OfANewerFormatVersion_SaysWhichVersionsAreRead()
    {
        var path = SaveOne(out _);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(ModelFile.FormatVersion + 1).CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains($"format version {ModelFile.FormatVersion + 1}", e.Message);
    }

    [Fact]
    public void Save_WritesEachSectionWithItsLengthAndSha256_InTheDocumentedLayout()
    {
        torch.manual_seed(3);
        using var model = new SeedCnn(3, 28);
        var large = new byte[3 << 20]; // larger than the file stream's buffer, so it is written in several pieces
        new Random(7).NextBytes(large);
        var path = _dir.Combine("sections.cls");
        ModelFile.Save(path, model, Info(3, 28), [ModelFileSection.FromBytes("extra", large), new("tail", w => w.Write("end"))]);

        // Read back by hand, following the layout in ModelFile's documentation, not through ModelFile.
        using var reader = new BinaryReader(File.OpenRead(path));
        Assert.Equal("CLASSIFY"u8.ToArray(), reader.ReadBytes(8));
        Assert.Equal(ModelFile.FormatVersion, reader.ReadInt32());
        Assert.Equal(4, reader.ReadInt32());
        var sections = new Dictionary<string, byte[]>();
        for (int i = 0; i < 4; i++)
        {
            var name = reader.ReadString();
            long length = reader.ReadInt64();
            var hash = reader.ReadBytes(32);
            var content = reader.ReadBytes((int)length);
            Assert.Equal(length, content.Length);
            Assert.Equal(hash, System.Security.Cryptography.SHA256.HashData(content));
            sections[name] = content;
        }
        Assert.Equal(reader.BaseStream.Length, reader.BaseStream.Position);
        Assert.Equal(["info", "weights", "extra", "tail"], sections.Keys);
        Assert.Equal(ModelFile.WeightsToBytes(model), sections["weights"]);
        Assert.Equal(large, sections["extra"]);
        using var loaded = ModelFile.Load(path);
        Assert.Equal(large, loaded.Sections["extra"]);
    }

    [Fact]
    public void Save_OfA224PxModel_StreamsItsWeightsInsteadOfCopyingThemIntoMemory()
    {
        torch.manual_seed(3);
        using var model = new SeedCnn(10, 224); // 177 MB of weights
        var path = _dir.Combine("large.cls");
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFile.Save(path, model, Info(10, 224));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(new FileInfo(path).Length > 170_000_000);
        Assert.InRange(allocated, 0, 16L << 20);
    }
}
