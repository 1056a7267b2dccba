using System.Runtime.Intrinsics.X86;
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
/// its last.cls. libtorch on one thread is deterministic on a given CPU kind, but its kernels (oneDNN's and ATen's
/// vectorised ones) differ between AVX-512 and AVX2 machines, and so do the last digits: the figures are recorded
/// per kind, each written by a8252e1 on a machine of that kind (AVX-512: the first build machine; AVX2: an AMD EPYC
/// without AVX-512, where main and a8252e1 gave the same history and hashes). On another kind the test is skipped,
/// saying so.
/// </summary>
public sealed class SeedCnnUnchangedTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [RecordedCpuKindFact]
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
        var expected = PreZoo.ForThisCpu!;
        Assert.Equal(expected.History, rows);
        using var last = ModelFile.Load(result.Run.LastModel);
        Assert.Equal(expected.WeightsSha256, Sha256(last.Sections["weights"]));
        Assert.Equal(expected.OptimizerSha256, Sha256(last.Sections["optimizer"]));
        Assert.Equal("seed-cnn", last.Info.Architecture);
    }

    /// <summary>What a8252e1 wrote, on a machine of one CPU kind.</summary>
    internal sealed record PreZoo(string[] History, string WeightsSha256, string OptimizerSha256)
    {
        private static readonly PreZoo OnAvx512 = new(
        [
            "epoch,accuracy,loss,val_accuracy,val_loss,learning_rate",
            "1,0.272,1.9454192390441896,0.5366666666666666,1.3309485483169556,0.001",
            "2,0.496,1.3100525045394897,0.6266666666666667,1.0404917594231664,0.001",
        ], "73085dbafb555b351518604c44f5fbdb6c2a92dae173db2cd55031145b405eb4",
            "90a888452301f0a76a6bb57f8b7c376d4821711dc9118d020ee83b1350e0cd02");

        private static readonly PreZoo OnAvx2 = new(
        [
            "epoch,accuracy,loss,val_accuracy,val_loss,learning_rate",
            "1,0.272,1.9454560432434083,0.5333333333333333,1.3298602758844693,0.001",
            "2,0.484,1.3127952156066895,0.62,1.0468893111683428,0.001",
        ], "2b52d54fbf42015552dd245e7a093666acd45ab54e15f817b3e224e958bba38d",
            "5f9929eb5ed4c54c5601383d1db044de3163d330cdc551589d99aad4fe9269b5");

        /// <summary>libtorch's kernel choice: AVX-512 (F, BW, DQ, VL, as oneDNN's avx512_core and ATen's AVX512 ask), else AVX2.</summary>
        private static bool HasAvx512Core =>
            Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

        /// <summary>The figures for this machine's kind; null where none were recorded.</summary>
        public static PreZoo? ForThisCpu =>
            HasAvx512Core ? OnAvx512 : Avx2.IsSupported && Fma.IsSupported ? OnAvx2 : null;
    }

    /// <summary>A fact that runs where <see cref="PreZoo"/> has figures for this machine's CPU kind.</summary>
    private sealed class RecordedCpuKindFactAttribute : FactAttribute
    {
        public RecordedCpuKindFactAttribute()
        {
            if (PreZoo.ForThisCpu is null)
                Skip = "The pre-zoo figures were recorded on AVX-512 and AVX2 machines; this CPU has neither, so its last digits are unknown.";
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
