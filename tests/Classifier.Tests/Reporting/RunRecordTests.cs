using System.Net;
using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Reporting;

/// <summary>
/// One short run on a generated folder with the automatic 20% split, one of whose classes has a name made of markup
/// and Markdown table syntax: what the run records about its images, what eval makes of it, and how the reports
/// show a name nobody chose with care.
/// </summary>
public sealed class RunRecordFixture : IDisposable
{
    public const string HostileClass = "<img src=x onerror=alert(1)> | *b*";

    private readonly TempDir _dir = new();

    public RunRecordFixture()
    {
        Data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 10, size: 24);
        Directory.Move(Path.Combine(Data, "class_b"), Path.Combine(Data, HostileClass));
        Run = _dir.Combine("run");
        Summary = _dir.Combine("summary.md");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", Summary);
        try
        {
            Train = CliRun.Of("train", Data, "--image-size", "24", "--epochs", "1", "--batch-size", "8", "-o", Run).GetAwaiter().GetResult();
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", null);
        }
        if (Train.ExitCode != 0) throw new InvalidOperationException("Training failed:\n" + Train);
    }

    public string Data { get; }

    public string Run { get; }

    public string Summary { get; }

    public CliRun Train { get; }

    public string Combine(params string[] parts) => _dir.Combine(parts);

    public void Dispose() => _dir.Dispose();
}

public sealed class RunRecordTests(RunRecordFixture fixture) : IClassFixture<RunRecordFixture>
{
    [Fact]
    public void TheRun_RecordsEveryImageItTrainedAndValidatedOn_WithItsContentHash()
    {
        var files = TrainingFiles.TryRead(fixture.Run)!;

        Assert.True(files.IsSplit);
        Assert.Equal(Path.GetFullPath(fixture.Data), files.TrainRoot);
        Assert.Equal(24, files.Files.Count(f => f.Split == TrainingFiles.TrainSplit));
        Assert.Equal(6, files.Files.Count(f => f.Split == TrainingFiles.ValidationSplit)); // 20% of 10, per class
        Assert.Equal(30, files.Files.Select(f => f.Path).Distinct().Count());
        var hostile = files.Files.First(f => f.ClassName == RunRecordFixture.HostileClass);
        Assert.Equal(Path.Combine(RunRecordFixture.HostileClass, Path.GetFileName(hostile.Path)), hostile.Path);
        Assert.All(files.Files, f => Assert.Equal(TrainingFiles.Sha256(Path.Combine(fixture.Data, f.Path)), f.Sha256));
        Assert.Equal(64, hostile.Sha256.Length);
    }

    [Fact]
    public async Task Eval_OnTheTrainingFolder_WarnsWithCounts_AndTheReportMarksTheSection()
    {
        var output = fixture.Combine("eval-all");

        var eval = await CliRun.Of("eval", "--model", fixture.Run, fixture.Data, "-o", output, "--top-errors", "0");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("warning: 24 of 30 images were in the run's training set (same content)", eval.Error);
        Assert.Contains($"classify eval --model {fixture.Run} --split validation", eval.Error);
        var saved = SavedEvaluation.Read(Path.Combine(output, EvaluationOutputs.MetricsName));
        Assert.Equal(24, saved.TrainedOn);
        Assert.Null(saved.Split);
        var html = HtmlReport.Build(fixture.Run, [output]);
        Assert.Contains("24 of these 30 images were trained on", html);
        // The run's own held-out evaluation comes before the inflated one.
        Assert.True(html.IndexOf("the run's validation images", StringComparison.Ordinal) < html.IndexOf("Evaluation: ../eval-all", StringComparison.Ordinal),
            "validation split section first");
    }

    [Fact]
    public async Task Eval_SplitValidation_EvaluatesExactlyTheRunsHeldOutImages_WithoutAWarning()
    {
        var output = fixture.Combine("eval-own");

        var eval = await CliRun.Of("eval", "--model", fixture.Run, "--split", "validation", "-o", output, "--format", "json");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.DoesNotContain("warning", eval.Error);
        using var json = JsonDocument.Parse(eval.Out);
        Assert.Equal("validation", json.RootElement.GetProperty("split").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("overlap").GetProperty("train").GetInt32());
        var own = SavedEvaluation.Read(Path.Combine(output, EvaluationOutputs.MetricsName));
        var atTheEndOfTraining = SavedEvaluation.Read(Path.Combine(fixture.Run, "eval-validation-split", EvaluationOutputs.MetricsName));
        Assert.Equal(6, own.Images);
        Assert.Equal(atTheEndOfTraining.Matrix, own.Matrix);
        Assert.Equal(atTheEndOfTraining.Accuracy, own.Accuracy);
        var recorded = TrainingFiles.TryRead(fixture.Run)!.Files.Where(f => f.Split == TrainingFiles.ValidationSplit)
            .Select(f => Path.Combine(fixture.Data, f.Path)).Order();
        var misclassified = File.ReadLines(Path.Combine(output, EvaluationOutputs.MisclassifiedName)).Skip(1);
        Assert.All(misclassified, row => Assert.Contains(recorded, p => row.StartsWith(p, StringComparison.Ordinal) || row.StartsWith("\"" + p, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Eval_WithBothADataFolderAndASplit_IsRefusedNamingBoth()
    {
        var eval = await CliRun.Of("eval", "--model", fixture.Run, fixture.Data, "--split", "validation");

        Assert.Equal(ExitCodes.InputError, eval.ExitCode);
        Assert.Contains("--split validation", eval.Error);
        Assert.Contains("not both", eval.Error);
    }

    [Fact]
    public async Task Eval_SplitOfAModelFileWithoutItsRun_IsRefusedSayingWhy()
    {
        var models = fixture.Combine("models");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(fixture.Run, RunFolder.BestModelName), Path.Combine(models, "m.cls"), overwrite: true);

        var eval = await CliRun.Of("eval", "--model", Path.Combine(models, "m.cls"), "--split", "validation");

        Assert.Equal(ExitCodes.InputError, eval.ExitCode);
        Assert.Contains(RunFolder.FilesName, eval.Error);
    }

    [Fact]
    public void Reports_ShowAHostileClassNameAsText_NeverAsMarkup()
    {
        var html = File.ReadAllText(Path.Combine(fixture.Run, HtmlReport.FileName));
        var markdown = File.ReadAllText(fixture.Summary);

        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains(WebUtility.HtmlEncode(RunRecordFixture.HostileClass), html); // in the dataset and per-class tables
        Assert.DoesNotContain("<img", markdown);
        // The name's pipe must not split its table row: every row of the per-class table has the header's 5 cells.
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| ") && l.Contains("onerror")).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(6, r.Replace("\\|", "").Count(c => c == '|')));
        Assert.Contains("\\*b\\*", markdown);
    }

    [Fact]
    public void TheReport_TitlesTheValidationSplitAsSuch_AndShowsUnsetOptionsInWords()
    {
        var html = File.ReadAllText(Path.Combine(fixture.Run, HtmlReport.FileName));

        Assert.Contains("Evaluation: the run's validation images (eval-validation-split)", html);
        Assert.Contains("The 6 validation images the run recorded", html);
        Assert.DoesNotContain("<td>null</td>", html);
        Assert.Contains("<tr><th>patience</th><td>off (no early stopping)</td></tr>", html);
        Assert.Contains("<tr><th>augment: horizontal-flip</th><td>off</td></tr>", html);
    }
}
