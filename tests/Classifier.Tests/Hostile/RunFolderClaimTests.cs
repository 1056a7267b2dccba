using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>One run per folder, resume only from the run's own checkpoint, no dead end.</summary>
public sealed class RunFolderClaimTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<CliRun> Train(string data, string run, params string[] extra) =>
        CliRun.Of(["train", data, "--image-size", "24", "--batch-size", "4", "--threads", "1", "-o", run, .. extra]);

    [Fact]
    public async Task TwoTrainsStartedTogetherIntoOneFolder_OneIsRefused_AndTheFolderHoldsOneRunsFiles()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var run = _dir.Combine("same");

        var results = await Task.WhenAll(Train(data, run, "--epochs", "2"), Train(data, run, "--epochs", "2", "--seed", "7"));

        Assert.Single(results, r => r.ExitCode == ExitCodes.Ok);
        var refused = Assert.Single(results, r => r.ExitCode == ExitCodes.InputError);
        Assert.Matches("in use by another classify process|already holds files", refused.Error);
        var winnerSeed = results[0].ExitCode == ExitCodes.Ok ? 42 : 7;
        Assert.Contains($"\"seed\": {winnerSeed}", File.ReadAllText(Path.Combine(run, RunFolder.OptionsName)).ToLowerInvariant());
    }

    [Fact]
    public async Task TrainAndResume_WhileAnotherProcessHoldsTheFolder_AreRefusedWithoutWriting()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await Train(data, run, "--epochs", "1")).ExitCode);
        var history = File.ReadAllText(Path.Combine(run, RunFolder.HistoryName));

        using (RunLock.TryTake(run))
        {
            var resume = await CliRun.Of("train", "--resume", run, "--epochs", "2");
            var fresh = await Train(data, _dir.Combine("fresh"), "--epochs", "1");
            Directory.CreateDirectory(_dir.Combine("second"));
            using (RunLock.TryTake(_dir.Combine("second")))
            {
                var second = await Train(data, _dir.Combine("second"), "--epochs", "1");
                Assert.Equal(ExitCodes.InputError, second.ExitCode);
            }

            Assert.Equal(ExitCodes.InputError, resume.ExitCode);
            Assert.Contains($"Run folder '{run}' is in use by another classify process", resume.Error);
            Assert.Equal(ExitCodes.Ok, fresh.ExitCode);
        }
        Assert.Equal(history, File.ReadAllText(Path.Combine(run, RunFolder.HistoryName)));
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", "--resume", run, "--epochs", "2")).ExitCode);
    }

    [Fact]
    public async Task Resume_WithACheckpointFromAnotherImageSize_IsRefusedBeforeAnyFileChanges()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 32);
        var small = _dir.Combine("small");
        var large = _dir.Combine("large");
        Assert.Equal(ExitCodes.Ok, (await Train(data, small, "--epochs", "1")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "32", "--epochs", "1", "--threads", "1", "-o", large)).ExitCode);
        File.Copy(Path.Combine(large, RunFolder.LastModelName), Path.Combine(small, RunFolder.LastModelName), overwrite: true);
        var before = Directory.GetFiles(small).ToDictionary(f => f, File.ReadAllBytes);

        var resume = await CliRun.Of("train", "--resume", small, "--epochs", "3");

        Assert.Equal(ExitCodes.InputError, resume.ExitCode);
        var line = Assert.Single(resume.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("image size 32 px, the run's options say 24 px", line);
        Assert.DoesNotContain("   at ", resume.Error);
        foreach (var (path, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task ARunThatFailedBeforeItsFirstCheckpoint_CanBeStartedAgainInTheSameFolder()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFolder.OptionsName), "{}");
        File.WriteAllText(Path.Combine(run, RunFolder.SkippedName), "path,reason\nold,old\n");

        var resume = await CliRun.Of("train", "--resume", run);
        var again = await Train(data, run, "--epochs", "1");

        Assert.Equal(ExitCodes.InputError, resume.ExitCode);
        Assert.Contains($"-o {run}", resume.Error);
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.False(File.Exists(Path.Combine(run, RunFolder.SkippedName)));
        Assert.True(File.Exists(Path.Combine(run, RunFolder.LastModelName)));

        Directory.CreateDirectory(_dir.Combine("other"));
        File.WriteAllText(_dir.Combine("other", "notes.txt"), "mine");
        var refused = await Train(data, _dir.Combine("other"), "--epochs", "1");
        Assert.Equal(ExitCodes.InputError, refused.ExitCode);
        Assert.Contains("already holds files (notes.txt)", refused.Error);
    }
}
