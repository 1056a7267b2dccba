using System.Diagnostics;
using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// Standard output that goes away, run with the real classify in a child process (stdout is the process's own): a closed
/// pipe stops predict at once, quietly, exit 0; a full stdout (a /dev/full twin made with mknod here) is one line naming stdout.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class StandardOutputTests : IDisposable
{
    private static readonly string Classify = Path.Combine(AppContext.BaseDirectory, "classify");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PredictIntoAPipeClosedAfterTheFirstLine_StopsQuietly_WithExitZero()
    {
        var run = (await TinyRun.TrainAsync(_dir)).Run;
        var start = new ProcessStartInfo(Classify, ["predict", "--model", run, "--format", "csv", SampleData.FashionMini])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var first = await process.StandardOutput.ReadLineAsync();
        process.StandardOutput.Close(); // `| head -1`
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);

        Assert.StartsWith("path,", first);
        Assert.Equal(0, process.ExitCode);
        // It stops at the next row, without a word, instead of classifying all 1,300 files and printing its summary.
        Assert.Equal("", await error);
    }

    [Theory]
    [InlineData("predict")]
    [InlineData("eval")]
    [InlineData("runs")]
    public async Task AFullStdout_IsOneLineNamingStdout_AndANonZeroExit(string verb)
    {
        var run = (await TinyRun.TrainAsync(_dir)).Run;
        var full = _dir.Combine("full");
        using (var mknod = Process.Start("mknod", [full, "c", "1", "7"])) // the /dev/full device, made here
            await mknod.WaitForExitAsync();
        string[] args = verb switch
        {
            "predict" => ["predict", "--model", run, Path.Combine(_dir.Path, "data")],
            "eval" => ["eval", "--model", run, "--format", "json", "--output", _dir.Combine("eval"), Path.Combine(_dir.Path, "data")],
            _ => ["runs", _dir.Path],
        };
        var start = new ProcessStartInfo("sh", ["-c", "\"$0\" \"$@\" > \"$FULL\"", Classify, .. args]) { RedirectStandardError = true };
        start.Environment["FULL"] = full;
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == ExitCodes.InputError, $"exit {process.ExitCode}\n{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("error: could not write to stdout: No space left on device", lines);
        Assert.DoesNotContain("   at ", error);
    }
}
