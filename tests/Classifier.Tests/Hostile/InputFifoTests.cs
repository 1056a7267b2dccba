using System.Diagnostics;
using System.Text.Json.Nodes;
using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// A named pipe given where classify reads a file (--model, --weights, --config, a shard's model) is refused as not a
/// regular file instead of blocking forever in open().
/// </summary>
public sealed class InputFifoTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AFifoGivenAsModelWeightsConfigOrAShardsModel_IsRefusedAsNotARegularFile_WithoutHanging()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        var shard = _dir.Combine("shard");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", run, "--shard", "0/1", "-o", shard, data)).ExitCode);
        var fifo = Fifo("model.cls");
        var pth = Fifo("w.pth");
        var safetensors = Fifo("w.safetensors");
        var config = Fifo("config.json");
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(shard, "metrics.json")))!;
        metrics["model"] = fifo;
        File.WriteAllText(Path.Combine(shard, "metrics.json"), metrics.ToJsonString());

        var runs = new[]
        {
            CliRun.Of("eval", "--model", fifo, data),
            CliRun.Of("predict", "--model", fifo, data),
            CliRun.Of("export", "--model", fifo, "-o", _dir.Combine("m.pt")),
            CliRun.Of("train", data, "--model", "resnet18", "--image-size", "32", "--epochs", "1", "--weights", pth, "-o", _dir.Combine("r1")),
            CliRun.Of("train", data, "--model", "resnet18", "--image-size", "32", "--epochs", "1", "--weights", safetensors, "-o", _dir.Combine("r2")),
            CliRun.Of("train", "--config", config, "-o", _dir.Combine("r3")),
            CliRun.Of("eval", "--merge", Path.Combine(shard, "metrics.json")),
        };
        var all = Task.WhenAll(runs);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(120)));
        if (finished != all)
        {
            foreach (var f in new[] { fifo, pth, safetensors, config }) // release any reader stuck in open()
                using (new FileStream(f, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail("a verb hung on a FIFO given as an input file");
        }
        foreach (var result in await all)
        {
            Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
            Assert.Contains("is not a regular file (a named pipe, FIFO)", result.Error);
            Assert.DoesNotContain("   at ", result.Error);
        }
    }

    private string Fifo(string name)
    {
        var path = _dir.Combine(name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        return path;
    }
}
