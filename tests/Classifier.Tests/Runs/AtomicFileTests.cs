using System.Diagnostics;
using Classifier.Core;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Tests.Support;
using Xunit.Abstractions;

namespace Classifier.Tests.Runs;

public sealed class AtomicFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AWriteThatFailsMidStream_LeavesThePreviousFileIntact_AndNoTemporaryFile()
    {
        var path = _dir.Combine("model.cls");
        AtomicFile.WriteText(path, "the good version");

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1 << 20]);
            throw new InvalidOperationException("disk gone");
        }));

        Assert.Equal("disk gone", e.Message);
        Assert.Equal("the good version", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void AWriteThatRunsOutOfSpace_BecomesAClearError_AndLeavesThePreviousFileIntact()
    {
        var path = _dir.Combine("history.csv");
        AtomicFile.WriteText(path, "epoch\n1\n");

        var e = Assert.Throws<Classifier.Core.ClassifierException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("epoch\n1\n2\n"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Contains($"Could not write '{path}'", e.Message);
        Assert.Equal("epoch\n1\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task KillingTrainingWhileItWritesAModel_LeavesThePreviousModelIntact()
    {
        // Runs the real classify in a child process on a 160 px model (an 85 MB file), waits until it is writing
        // last.cls for a later epoch, and kills it with SIGKILL. The last.cls in place must be the previous epoch's,
        // whole (every section's SHA-256 checks out). The write and its fsync take long enough to be caught; a
        // run that finishes the write before the kill lands is retried.
        var classify = Path.Combine(AppContext.BaseDirectory, "classify");
        Assert.True(File.Exists(classify), $"the classify apphost should be beside the tests: {classify}");
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 2, size: 24);
        var val = TestImages.StripesDataset(_dir.Combine("val"), classes: 2, perClass: 1, size: 24, seed: 2);

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var run = _dir.Combine($"run{attempt}");
            var last = Path.Combine(run, RunFolder.LastModelName);
            using var child = Process.Start(new ProcessStartInfo(classify)
            {
                ArgumentList = { "train", data, "--val", val, "--image-size", "160", "--epochs", "20", "--batch-size", "4", "--threads", "1", "--cache", "none", "-o", run },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var drainOut = child.StandardOutput.ReadToEndAsync();
            var drainErr = child.StandardError.ReadToEndAsync();
            try
            {
                var clock = Stopwatch.StartNew();
                while (!File.Exists(last) && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(20);
                // (Messages read stderr only on failure: awaiting it waits for the child to end.)
                if (!File.Exists(last)) Assert.Fail($"epoch 1 should finish: {await drainErr}");

                // Wait for the next write of last.cls to start: its temporary file appears.
                string? temp = null;
                while (temp is null && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120))
                {
                    temp = Directory.EnumerateFiles(run).FirstOrDefault(f =>
                        Path.GetFileName(f).StartsWith(".last.cls.", StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal));
                    if (temp is null) Thread.Yield();
                }
                if (temp is null) Assert.Fail($"a later epoch's write should start: {await drainErr}");
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();

                // Each epoch writes history.csv, then last.cls: the killed write belonged to the epoch history ends at.
                int previousEpoch = HistoryCsv.Read(Path.Combine(run, RunFolder.HistoryName)).Count - 1;
                bool caughtMidWrite = File.Exists(temp);
                var info = ModelFile.ReadInfo(last); // throws if last.cls were half-written
                output.WriteLine($"attempt {attempt}: killed {(caughtMidWrite ? "mid-write" : "after the rename")}; " +
                                 $"last.cls is epoch {info.Epoch} ({new FileInfo(last).Length >> 20} MiB), previous was {previousEpoch}");
                if (!caughtMidWrite) continue;
                Assert.Equal(previousEpoch, info.Epoch);
                Assert.StartsWith(".", Path.GetFileName(temp)); // a leftover is hidden, never taken for a model
                Assert.Equal(Path.Combine(run, RunFolder.BestModelName), RunFolder.ResolveModel(run));
                return;
            }
            finally
            {
                if (!child.HasExited) child.Kill(entireProcessTree: true);
            }
        }
        Assert.Fail("three runs finished writing before the kill landed; the write window is too short to test here");
    }

    [Fact]
    public void Write_IntoAFolderOfARunFolderThatIsALink_Refuses_AndLeavesTheTargetAlone()
    {
        var run = _dir.Combine("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFolder.OptionsName), "{}");
        var elsewhere = _dir.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "metrics.json"), "precious");
        var evalFolder = Path.Combine(run, "eval-val");
        Directory.CreateSymbolicLink(evalFolder, elsewhere);

        var e = Assert.Throws<ClassifierException>(() => AtomicFile.WriteText(Path.Combine(evalFolder, "metrics.json"), "new"));

        Assert.Contains("is a symbolic link", e.Message);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(elsewhere, "metrics.json")));
        Assert.Single(Directory.GetFiles(elsewhere));
    }

    [Fact]
    public void Write_IntoARunFolderThatIsItselfALinkTheUserNamed_WritesIntoItsTarget()
    {
        var real = _dir.Combine("real");
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, RunFolder.OptionsName), "{}");
        var link = _dir.Combine("latest");
        Directory.CreateSymbolicLink(link, real);

        AtomicFile.WriteText(Path.Combine(link, RunFolder.HistoryName), "epoch\n");

        Assert.Equal("epoch\n", File.ReadAllText(Path.Combine(real, RunFolder.HistoryName)));
    }
}
