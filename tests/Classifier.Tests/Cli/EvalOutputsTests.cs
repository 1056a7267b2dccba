using System.Globalization;
using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;

namespace Classifier.Tests.Cli;

[Collection(SampleRunCollection.Name)]
public sealed class EvalOutputsTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Eval_OnOnnxRuntime_AgreesWithLibTorch_TheSeedCnnsDefault()
    {
        var torch = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("torch"));
        var onnx = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("onnx"), "--engine", "onnx");

        Assert.True(onnx.ExitCode == 0, onnx.ToString());
        Assert.True(torch.ExitCode == 0, torch.ToString());
        using var onnxJson = JsonDocument.Parse(File.ReadAllText(_dir.Combine("onnx", EvaluationOutputs.MetricsName)));
        using var torchJson = JsonDocument.Parse(File.ReadAllText(_dir.Combine("torch", EvaluationOutputs.MetricsName)));
        Assert.Equal("onnx", onnxJson.RootElement.GetProperty("engine").GetString());
        Assert.Equal("torch", torchJson.RootElement.GetProperty("engine").GetString());
        // The same network in float32 on other kernels: the loss agrees to float precision, and at most an image whose
        // two best classes tie to within that precision could change its answer.
        Assert.Equal(torchJson.RootElement.GetProperty("loss").GetDouble(), onnxJson.RootElement.GetProperty("loss").GetDouble(), 1e-5);
        Assert.Equal(torchJson.RootElement.GetProperty("accuracy").GetDouble(), onnxJson.RootElement.GetProperty("accuracy").GetDouble(), 1.0 / 300 + 1e-12);
        var bad = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "--engine", "tensorrt");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("--engine", bad.Error);
    }

    [Fact]
    public async Task Eval_WritesMetricsMisclassifiedAndFigures_ThatAgreeWithEachOther()
    {
        var output = _dir.Combine("eval");

        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", output, "--top-k", "3", "--format", "json");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        var saved = SavedEvaluation.Read(Path.Combine(output, EvaluationOutputs.MetricsName));
        Assert.Equal(300, saved.Images);
        Assert.Equal(300, saved.Matrix.Sum(r => r.Sum()));
        Assert.All(saved.PerClass, m => Assert.Equal(30, m.Support));
        long correct = Enumerable.Range(0, 10).Sum(i => saved.Matrix[i][i]);
        Assert.Equal(correct / 300.0, saved.Accuracy, 12);
        Assert.Equal(3, saved.TopK);
        Assert.True(saved.TopKAccuracy >= saved.Accuracy, $"top-3 {saved.TopKAccuracy} < top-1 {saved.Accuracy}");
        // Per-class recall is the matrix's diagonal over its row.
        for (int c = 0; c < 10; c++) Assert.Equal(saved.Matrix[c][c] / 30.0, saved.PerClass[c].Recall, 12);

        // stdout holds only the JSON object, the same as metrics.json.
        using var stdout = JsonDocument.Parse(eval.Out);
        Assert.Equal(saved.Accuracy, stdout.RootElement.GetProperty("accuracy").GetDouble());

        var lines = File.ReadAllLines(Path.Combine(output, EvaluationOutputs.MisclassifiedName));
        Assert.Equal("path,true_label,predicted_label,confidence", lines[0]);
        Assert.Equal(300 - correct, lines.Length - 1);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.NotEqual(r[1], r[2]));
        Assert.All(rows, r => Assert.True(File.Exists(r[0]), r[0]));
        Assert.All(rows, r => Assert.Equal(r[1], Path.GetFileName(Path.GetDirectoryName(r[0]))));
        var confidences = rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(confidences.OrderByDescending(c => c), confidences);
        // Every off-diagonal cell of the matrix is the number of misclassified.csv rows with that (true, predicted) pair,
        // and each class's precision is its diagonal over its column.
        var classes = saved.ClassNames.ToList();
        for (int t = 0; t < 10; t++)
            for (int p = 0; p < 10; p++)
                if (t != p)
                    Assert.Equal(saved.Matrix[t][p], rows.Count(r => r[1] == classes[t] && r[2] == classes[p]));
        for (int c = 0; c < 10; c++)
        {
            long predicted = Enumerable.Range(0, 10).Sum(t => saved.Matrix[t][c]);
            Assert.Equal(predicted == 0 ? 0 : (double)saved.Matrix[c][c] / predicted, saved.PerClass[c].Precision, 12);
        }

        foreach (var png in new[] { EvaluationOutputs.ConfusionMatrixName, EvaluationOutputs.ConfusionMatrixNormalizedName, EvaluationOutputs.TopErrorsName })
        {
            var info = Image.Identify(Path.Combine(output, png));
            Assert.True(info is { Width: > 400, Height: > 300 }, png);
        }
    }

    [Fact]
    public async Task Eval_OnAFolderWithOneClass_EvaluatesIt_AgainstTheModelsClasses()
    {
        var batch = _dir.Combine("new-bags");
        Directory.CreateDirectory(Path.Combine(batch, "Bag"));
        foreach (var file in Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Bag")))
            File.Copy(file, Path.Combine(batch, "Bag", Path.GetFileName(file)));

        var eval = await CliRun.Of("eval", "--model", sample.Run, batch, "-o", _dir.Combine("e"), "--format", "json");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        var saved = SavedEvaluation.Read(_dir.Combine("e", EvaluationOutputs.MetricsName));
        Assert.Equal(30, saved.Images);
        Assert.Equal(10, saved.ClassNames.Count);
        var bag = saved.ClassNames.ToList().IndexOf("Bag");
        Assert.Equal(30, saved.Matrix[bag].Sum());
        Assert.Equal(saved.Matrix[bag][bag] / 30.0, saved.Accuracy, 12);
        Assert.Equal(saved.PerClass[bag].F1, saved.Macro.F1, 12); // only Bag has images
    }

    [Fact]
    public async Task Eval_WithTopKEqualToTheClassCount_HasTopKAccuracyOfExactlyOne()
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("e"), "--top-k", "10", "--top-errors", "0");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        var saved = SavedEvaluation.Read(_dir.Combine("e", EvaluationOutputs.MetricsName));
        Assert.Equal(1.0, saved.TopKAccuracy);
        Assert.Contains("top-10 accuracy: 1.0000", eval.Out);
        Assert.False(File.Exists(_dir.Combine("e", EvaluationOutputs.TopErrorsName)));
    }

    [Fact]
    public async Task Eval_ByDefault_ReportsTopFiveForTenClasses_AndWritesBesideAModelFile()
    {
        // A bare model file: the eval folder goes next to it, named after the data folder.
        var models = _dir.Combine("models");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(sample.Run, RunFolder.BestModelName), Path.Combine(models, "fashion.cls"));

        var eval = await CliRun.Of("eval", "--model", Path.Combine(models, "fashion.cls"), SampleRunFixture.Val);

        Assert.True(eval.ExitCode == 0, eval.ToString());
        var saved = SavedEvaluation.Read(Path.Combine(models, "eval-val", EvaluationOutputs.MetricsName));
        Assert.Equal(5, saved.TopK);
        Assert.Contains("top-5 accuracy:", eval.Out);
        Assert.Contains("Eval files: " + Path.Combine(models, "eval-val"), eval.Out);
        Assert.True(File.Exists(Path.Combine(models, HtmlReport.FileName)));
    }

    [Fact]
    public async Task Gate_BelowTheMinimumAccuracy_ExitsWithThreeAndOneLineNamingMetricValueAndThreshold()
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("e"), "--top-errors", "0",
            "--min-accuracy", "0.99");

        Assert.Equal(ExitCodes.BelowThreshold, eval.ExitCode);
        var accuracy = SavedEvaluation.Read(_dir.Combine("e", EvaluationOutputs.MetricsName)).Accuracy;
        var line = Assert.Single(eval.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Gate failed"));
        Assert.Equal($"Gate failed: accuracy {accuracy.ToString("0.0000", CultureInfo.InvariantCulture)} < --min-accuracy 0.9900", line.TrimEnd());
    }

    [Fact]
    public async Task Gate_BelowTheMinimumMacroF1_NamesMacroF1()
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("e"), "--top-errors", "0",
            "--min-f1", "0.999");

        Assert.Equal(ExitCodes.BelowThreshold, eval.ExitCode);
        Assert.Matches(@"Gate failed: macro F1 0\.\d{4} < --min-f1 0\.9990", eval.Error);
    }

    [Fact]
    public async Task Gate_MetByTheModel_ExitsZero_AndTheStepSummaryRecordsIt()
    {
        var summary = _dir.Combine("summary.md");
        File.WriteAllText(summary, "earlier step\n");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        CliRun eval;
        try
        {
            eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("e"), "--top-errors", "0",
                "--min-accuracy", "0.05", "--min-f1", "0");
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", null);
        }

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Matches(@"Gate passed: accuracy 0\.\d{4} >= --min-accuracy 0\.0500", eval.Out);
        Assert.DoesNotContain("Gate failed", eval.Error);
        var markdown = File.ReadAllText(summary);
        Assert.StartsWith("earlier step\n", markdown);
        Assert.Contains("**Gate passed** (accuracy >= 0.0500, macro F1 >= 0.0000)", markdown);
        Assert.Contains("| class | precision | recall | F1 | support |", markdown);
        Assert.Contains("| Ankle\\_boot |", markdown);
    }

    [Fact]
    public async Task Eval_WithTopKAboveTheClassCount_IsRefusedNamingIt()
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "--top-k", "11", "-o", _dir.Combine("e"));

        Assert.Equal(ExitCodes.InputError, eval.ExitCode);
        Assert.Equal("error: --top-k 11: the model has only 10 classes.", eval.Error.Trim());
    }

    [Theory]
    [InlineData("--min-accuracy", "1.5")]
    [InlineData("--min-f1", "-0.1")]
    public async Task Gate_WithAThresholdOutsideZeroToOne_IsRefusedNamingTheOption(string option, string value)
    {
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, option, value);

        Assert.Equal(ExitCodes.InputError, eval.ExitCode);
        Assert.StartsWith($"error: {option} {value}", eval.Error.Trim());
    }

    [Fact]
    public void Train_LeavesAReportWithInlinedImages_AndAValidationEvaluation()
    {
        Assert.Contains("Report:  " + Path.Combine(sample.Run, HtmlReport.FileName), sample.Train.Out);
        var html = File.ReadAllText(Path.Combine(sample.Run, HtmlReport.FileName));
        Assert.StartsWith("<!DOCTYPE html>", html);
        // curves, two confusion matrices and the top-errors sheet, all inlined; nothing fetched from elsewhere.
        Assert.True(System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/png;base64,").Count >= 4);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<script", html);
        foreach (var text in new[] { "Final metrics", "options.json", "Dataset", "Training curves", "Evaluation: the run's validation images (eval-val)", "T-shirt_top", "macro avg" })
            Assert.Contains(text, html);
        var dataset = DatasetSummary.TryRead(sample.Run)!;
        Assert.Equal(Enumerable.Repeat(100, 10), dataset.TrainCounts);
        Assert.Equal(300, SavedEvaluation.Read(Path.Combine(sample.Run, "eval-val", EvaluationOutputs.MetricsName)).Images);

        var markdown = File.ReadAllText(sample.TrainSummary);
        Assert.Contains("### classify train: sample-run", markdown);
        Assert.Contains("| epochs | best epoch | val accuracy |", markdown);
        Assert.Contains("| Trouser |", markdown);
    }
}
