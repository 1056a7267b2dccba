using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Core.Runs;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;

namespace Classifier.Tests.Cli;

[Collection(SampleRunCollection.Name)]
public sealed class PredictPlotTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A folder of sample images (some nested), one broken file, one hidden file and one text file.</summary>
    private (string Folder, int Images) ImagesToPredict()
    {
        var folder = _dir.Combine("inbox");
        var sources = Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Trouser")).Order().Take(5)
            .Concat(Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Bag")).Order().Take(4)).ToList();
        for (int i = 0; i < sources.Count; i++)
        {
            var target = i % 2 == 0 ? Path.Combine(folder, $"{i:D2}.png") : Path.Combine(folder, "nested", "deeper", $"{i:D2}.PNG");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(sources[i], target);
        }
        File.WriteAllText(Path.Combine(folder, "broken.png"), "not a png");
        File.Copy(sources[0], Path.Combine(folder, ".hidden.png"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "ignored");
        return (folder, sources.Count + 1);
    }

    [Fact]
    public async Task Predict_Csv_HasOneRowPerFile_AndAnErrorRowForTheBrokenOne()
    {
        var (folder, files) = ImagesToPredict();

        var result = await CliRun.Of("predict", "--model", sample.Run, folder, "--format", "csv", "--top-k", "2", "--batch-size", "4");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("path,label,confidence,label_2,confidence_2,error", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(files, rows.Count);
        var broken = Assert.Single(rows, r => r[0].EndsWith("broken.png"));
        Assert.Equal("", broken[1]);
        Assert.Contains("not an image", broken[5]);
        var good = rows.Where(r => r != broken).ToList();
        Assert.All(good, r => Assert.Equal("", r[5]));
        Assert.All(good, r => Assert.True(double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture) >= double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.DoesNotContain(rows, r => r[0].Contains(".hidden") || r[0].EndsWith(".txt"));
        Assert.Contains(rows, r => r[0].Contains(Path.Combine("nested", "deeper")));
        Assert.Contains($"{files} file(s), 1 could not be read", result.Error);
    }

    [Fact]
    public async Task Predict_Strict_StopsAtTheBrokenFile_NamingIt()
    {
        var (folder, _) = ImagesToPredict();

        var result = await CliRun.Of("predict", "--model", sample.Run, folder, "--format", "csv", "--strict");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("broken.png", result.Error);
    }

    [Fact]
    public async Task Predict_Json_IsOneObjectPerLine_AndAMissingPathIsAnErrorRow()
    {
        var (folder, files) = ImagesToPredict();
        var missing = _dir.Combine("no-such.png");

        var result = await CliRun.Of("predict", "--model", sample.Run, folder, missing, "--format", "json", "--top-k", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        var objects = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(files + 1, objects.Count);
        var last = objects[^1];
        Assert.Equal(missing, last.GetProperty("path").GetString());
        Assert.Equal("no such file or folder", last.GetProperty("error").GetString());
        var first = objects.First(o => o.GetProperty("error").ValueKind == JsonValueKind.Null);
        Assert.Equal(3, first.GetProperty("top_k").GetArrayLength());
        Assert.Equal(first.GetProperty("label").GetString(), first.GetProperty("top_k")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task Predict_WhenNothingCouldBeClassified_ExitsTwo_AfterWritingTheErrorRows()
    {
        var text = _dir.Combine("notes.png");
        File.WriteAllText(text, "not an image");
        var empty = _dir.Combine("empty");
        Directory.CreateDirectory(empty);

        var result = await CliRun.Of("predict", "--model", sample.Run, text, _dir.Combine("gone.png"), empty, "--format", "csv");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith(text + ",", rows[0]);
        Assert.StartsWith(_dir.Combine("gone.png") + ",", rows[1]);
        Assert.Contains("error: nothing could be classified", result.Error);
    }

    [Fact]
    public async Task Predict_OnAnEmptyFolder_ExitsTwo_SayingThereWasNoImage()
    {
        var empty = _dir.Combine("empty");
        Directory.CreateDirectory(empty);

        var result = await CliRun.Of("predict", "--model", sample.Run, empty);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("error: nothing to classify", result.Error);
    }

    [Fact]
    public async Task Predict_Table_ListsEachFileWithItsLabel()
    {
        var file = Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Trouser")).Order().First();

        var result = await CliRun.Of("predict", "--model", sample.Run, file);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("label", lines[0]);
        Assert.EndsWith(file, lines[1].TrimEnd());
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Plot_SeveralRuns_DrawsOneOverlayFigure_AsPngOrSvg()
    {
        var other = _dir.Combine("other-run");
        HistoryCsv.Write(Path.Combine(other, RunFolder.HistoryName),
            [new HistoryRow(1, 0.5, 1.5, 0.55, 1.4, 0.001, 3), new HistoryRow(2, 0.6, 1.2, 0.62, 1.1, 0.001, 3)]);

        var png = await CliRun.Of("plot", sample.Run, other, "-o", _dir.Combine("compare.png"));
        var svg = await CliRun.Of("plot", sample.Run, other, "-o", _dir.Combine("compare.svg"));

        Assert.True(png.ExitCode == 0, png.ToString());
        Assert.True(svg.ExitCode == 0, svg.ToString());
        Assert.True(Image.Identify(_dir.Combine("compare.png")) is { Width: 1400, Height: 560 });
        var text = File.ReadAllText(_dir.Combine("compare.svg"));
        Assert.Contains("<svg", text);
        Assert.Contains("other-run val", text);
        Assert.Contains("sample-run train", text);
    }

    [Fact]
    public async Task Plot_OfAnEvalFolder_DrawsItsConfusionMatrix()
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("e"), "--top-errors", "0");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        File.Delete(_dir.Combine("e", EvaluationOutputs.ConfusionMatrixName));

        var plot = await CliRun.Of("plot", _dir.Combine("e"));
        var svg = await CliRun.Of("plot", _dir.Combine("e", EvaluationOutputs.MetricsName), "--normalize", "-o", _dir.Combine("cm.svg"));

        Assert.True(plot.ExitCode == 0, plot.ToString());
        Assert.True(Image.Identify(_dir.Combine("e", EvaluationOutputs.ConfusionMatrixName)) is { Width: > 600 });
        Assert.True(svg.ExitCode == 0, svg.ToString());
        Assert.Contains("Pullover", File.ReadAllText(_dir.Combine("cm.svg")));
    }

    [Fact]
    public async Task Plot_OfAMetricsFileThatIsNotOne_FailsNamingIt()
    {
        var bad = _dir.Combine("metrics.json");
        File.WriteAllText(bad, "{\"accuracy\": 1}");

        var plot = await CliRun.Of("plot", bad);

        Assert.Equal(ExitCodes.InputError, plot.ExitCode);
        Assert.Contains(bad, plot.Error);
    }
}
