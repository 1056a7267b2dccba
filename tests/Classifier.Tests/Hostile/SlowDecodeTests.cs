using System.Diagnostics;
using System.Net;
using Classifier.Cli;
using Classifier.Core.Data;
using Classifier.Tests.Serve;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// Slow files at the verbs: a progressive JPEG of 25,000 scans (8192x8192, 3.2 MB, far more than 15 s to decode whole)
/// is skipped and named within the 15 s budget, and Ctrl+C or SIGTERM (the command's cancellation) stops a verb in the
/// middle of decoding it at once, with exit 130, instead of after the budget; in serve, the request's timeout does.
/// </summary>
public sealed class SlowDecodeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AJpegOf25000Scans_IsSkippedWithinTheBudget_ByCheckAndPredict_NamingTheFile()
    {
        var run = (await TinyRun.TrainAsync(_dir, dataName: "clean")).Run;
        var data = DataWithASlowFile();
        var slow = Path.Combine(data, "class_b", "scans.jpg");

        var watch = Stopwatch.StartNew();
        var check = await CliRun.Of("check", data);
        var checkSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var predict = await CliRun.Of("predict", "--model", run, "--format", "csv", slow, Path.Combine(data, "class_a", "000.png"));
        var predictSeconds = watch.Elapsed.TotalSeconds;

        const string Reason = "took longer than the 15 s allowed to decode one file";
        Assert.True(check.ExitCode == ExitCodes.ProblemsFound, check.ToString());
        Assert.Contains(check.Out.Split('\n'), line => line.Contains("scans.jpg") && line.Contains(Reason));
        Assert.True(predict.ExitCode == ExitCodes.Ok, predict.ToString());
        Assert.Contains(predict.Out.Split('\n'), line => line.Contains("scans.jpg") && line.Contains(Reason));
        Assert.Contains(predict.Out.Split('\n'), line => line.Contains("000.png") && line.Contains("class_"));
        // 15 s of budget and the verb's own work.
        Assert.True(checkSeconds < 40 && predictSeconds < 40, $"check took {checkSeconds:0.0} s, predict {predictSeconds:0.0} s");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("predict")]
    [InlineData("eval")]
    [InlineData("train")]
    [InlineData("lr-find")]
    [InlineData("preview-augment")]
    public async Task CancellingAVerbWhileItDecodesASlowFile_StopsItAtOnce_WithExit130AndNothingHalfWritten(string verb)
    {
        var run = verb is "predict" or "eval" ? (await TinyRun.TrainAsync(_dir, dataName: "clean")).Run : "";
        var data = DataWithASlowFile();
        var output = _dir.Combine("out");
        string[] args = verb switch
        {
            "check" => ["check", data],
            "predict" => ["predict", "--model", run, data],
            "eval" => ["eval", "--model", run, "--output", output, data],
            "train" => ["train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", output],
            "preview-augment" => ["train", data, "--image-size", "24", "--preview-augment", "16", "-o", output],
            _ => ["lr-find", data, "--image-size", "24", "--threads", "1", "--steps", "5", "-o", output],
        };
        using var cancel = new CancellationTokenSource();

        // Holding the gate that every decode of more than 16 Mpx passes makes the verb's decode of the slow file wait in
        // plain sight, however long the verb takes to get there on a busy machine; once let go, it is inside ImageSharp.
        Task<CliRun> running;
        using (var gate = LargeImageGate.Enter(LargeImageGate.LargePixels + 1))
        {
            running = Task.Run(() => CliRun.Of(cancel.Token, args));
            bool waiting = SpinWait.SpinUntil(() => LargeImageGate.Waiting == 1 || running.IsCompleted, TimeSpan.FromMinutes(3));
            Assert.True(waiting && !running.IsCompleted, running.IsCompleted ? (await running).ToString() : "the verb never reached the slow file");
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        cancel.Cancel();
        var result = await running.WaitAsync(TimeSpan.FromMinutes(2));
        watch.Stop();

        Assert.True(result.ExitCode == ExitCodes.Interrupted, result.ToString());
        Assert.Contains(verb == "train" ? "Interrupted" : "Stopped by user.", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        // The budget alone would end the decode 15 s after it started.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stopped {watch.Elapsed.TotalSeconds:0.0} s after the cancellation\n{result}");
        Assert.DoesNotContain("scans.jpg", result.Out);
        if (verb is "eval" or "lr-find" or "preview-augment")
            Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any(f => !Path.GetFileName(f).StartsWith('.')),
                $"{verb} wrote {string.Join(", ", Directory.Exists(output) ? Directory.EnumerateFiles(output) : [])}");
        if (Directory.Exists(output))
            Assert.Empty(Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Serve_StopsASlowDecodeAtTheRequestsTimeout_NotAtTheBudget()
    {
        var run = (await TinyRun.TrainAsync(_dir, dataName: "clean")).Run;
        using var server = await ServeProcess.Start("--model", run, "--engine", "torch", "--timeout-ms", "2000");
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };

        var watch = Stopwatch.StartNew();
        var answer = await http.PostAsync("predict", new ByteArrayContent(ManyScanJpeg.Build(8192, 25_000)));
        watch.Stop();

        // Not an error row after the 15 s budget: the request's own timeout ends the decode.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Contains("not answered within 2000 ms (--timeout-ms)", await answer.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"answered after {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Two classes of small images; class_b also holds a 25,000-scan JPEG.</summary>
    private string DataWithASlowFile()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        File.WriteAllBytes(Path.Combine(data, "class_b", "scans.jpg"), ManyScanJpeg.Build(8192, 25_000));
        return data;
    }
}
