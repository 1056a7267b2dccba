using System.Text.Json;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

public sealed class TrainLogFormatTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Train_WithJsonLogFormat_PrintsOnlyOneJsonObjectPerEpochOnStdout()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);

        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "2", "--batch-size", "4",
            "-o", _dir.Combine("run"), "--log-format", "json");

        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.DoesNotContain("\r", train.Out);
        var lines = train.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < 2; i++)
        {
            var epoch = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(i + 1, epoch.GetProperty("epoch").GetInt32());
            Assert.Equal(2, epoch.GetProperty("epochs").GetInt32());
            foreach (var name in new[] { "accuracy", "loss", "val_accuracy", "val_loss", "learning_rate", "seconds" })
                Assert.Equal(JsonValueKind.Number, epoch.GetProperty(name).ValueKind);
            Assert.True(epoch.GetProperty("best").ValueKind is JsonValueKind.True or JsonValueKind.False);
            // What the run costs so far: the process's peak memory, and the folder with this epoch's checkpoints.
            Assert.InRange(epoch.GetProperty("peak_memory_bytes").GetInt64(), 50L << 20, 64L << 30);
            Assert.True(epoch.GetProperty("run_folder_bytes").GetInt64() > new FileInfo(_dir.Combine("run", "last.cls")).Length);
        }
        Assert.Contains("Memory:", train.Error);
        Assert.Contains("Disk:", train.Error);
        Assert.Contains("Report:", train.Error);
        // A split validation set gets its own eval folder name, not the data folder's.
        Assert.True(File.Exists(_dir.Combine("run", "eval-validation-split", "metrics.json")));
    }

    [Fact]
    public async Task Train_WithJsonLogFormat_PrintsEachDataWarningAsAJsonObjectOnStdout()
    {
        var (data, bad) = TestImages.ImbalancedStripesWithABadFile(_dir.Combine("data"));   // class_a has four times class_b's images, and a text file

        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--batch-size", "4", "--threads", "1",
            "--validation-split", "0.25", "-o", _dir.Combine("run"), "--log-format", "json");

        Assert.True(train.ExitCode == 0, train.ToString());
        var objects = train.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var warnings = objects.Where(o => o.TryGetProperty("warning", out _)).ToList();
        var imbalance = Assert.Single(warnings, w => w.GetProperty("warning").GetString() == "class_imbalance");
        Assert.StartsWith("classes are imbalanced (", imbalance.GetProperty("message").GetString());
        var skipped = Assert.Single(warnings, w => w.GetProperty("warning").GetString() == "skipped_image");
        Assert.Equal(bad, skipped.GetProperty("path").GetString());
        Assert.StartsWith($"skipped '{bad}': ", skipped.GetProperty("message").GetString());
        Assert.Equal(1, Assert.Single(objects, o => o.TryGetProperty("epoch", out _)).GetProperty("epoch").GetInt32());
        Assert.DoesNotContain("warning:", train.Error);
    }
}
