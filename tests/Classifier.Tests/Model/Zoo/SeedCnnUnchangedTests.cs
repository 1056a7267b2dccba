using System.Security.Cryptography;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The default network must stay bit for bit what it was before the model zoo. The expected figures were written by
/// the build before the zoo (commit a8252e1) with <c>classify train samples/fashion-mini --image-size 28 --epochs 2
/// --seed 7 --threads 1 --horizontal-flip</c>: its history.csv and the SHA-256 of the weights and optimizer sections of
/// its last.cls. libtorch on one thread is deterministic on a given CPU kind, which is what CI runs on.
/// </summary>
public sealed class SeedCnnUnchangedTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public void SeedCnnOnTheSample_GivesThePreZooHistoryAndWeights_BitForBit()
    {
        var options = new TrainOptions
        {
            DataDir = SampleData.FashionMini,
            OutputDir = _dir.Combine("run"),
            ImageSize = 28,
            Epochs = 2,
            Seed = 7,
            Threads = 1,
            Augment = new() { HorizontalFlip = true },
        };

        var result = new Trainer(options, new RecordingObserver()).Run();

        var rows = File.ReadAllLines(result.Run.History).Select(l => string.Join(',', l.Split(',')[..6])).ToArray();
        Assert.Equal(
        [
            "epoch,accuracy,loss,val_accuracy,val_loss,learning_rate",
            "1,0.272,1.9454192390441896,0.5366666666666666,1.3309485483169556,0.001",
            "2,0.496,1.3100525045394897,0.6266666666666667,1.0404917594231664,0.001",
        ], rows);
        using var last = ModelFile.Load(result.Run.LastModel);
        Assert.Equal("73085dbafb555b351518604c44f5fbdb6c2a92dae173db2cd55031145b405eb4", Sha256(last.Sections["weights"]));
        Assert.Equal("90a888452301f0a76a6bb57f8b7c376d4821711dc9118d020ee83b1350e0cd02", Sha256(last.Sections["optimizer"]));
        Assert.Equal("seed-cnn", last.Info.Architecture);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
