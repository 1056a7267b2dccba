using System.Text.RegularExpressions;
using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>Names and paths a user controls reaching spreadsheets, terminals, HTML and Markdown.</summary>
public sealed class UntrustedNamesTests : IDisposable
{
    private const string Formula = "=cmd|' -C calc'!A0";
    private const string Escape = "\u001b[31mred";
    private const string Newline = "two\nlines";
    private const string Html = "<img src=x onerror=alert(1)>";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Four classes holding the same three images, so the model must get many of them wrong.</summary>
    private string HostileDataset()
    {
        var root = _dir.Combine("data");
        foreach (var name in new[] { Formula, Escape, Newline, Html })
            for (int i = 0; i < 3; i++)
                BadFiles.GoodPng(Path.Combine(root, name, $"{i}.png"), i);
        return root;
    }

    [Fact]
    public async Task ClassNamesThatLookLikeFormulasOrTerminalCodes_AreDefusedInCsvEscapedOnTheTerminalAndEncodedInTheStepSummary()
    {
        var data = HostileDataset();
        var run = _dir.Combine("run");
        var summary = _dir.Combine("summary.md");

        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run, "--validation-split", "0.34");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        CliRun eval;
        try
        {
            eval = await CliRun.Of("eval", "--model", run, data);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", null);
        }
        var predict = await CliRun.Of("predict", "--model", run, data, "--format", "csv");
        var table = await CliRun.Of("predict", "--model", run, data);

        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.ToString());
        foreach (var output in new[] { train.Out, train.Error, eval.Out, eval.Error, table.Out, table.Error })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain(Newline, output);
        }
        Assert.Contains("\\e[31mred", eval.Out);
        Assert.Contains("two\\nlines", eval.Out);

        var misclassified = File.ReadAllText(Path.Combine(run, "eval-data", "misclassified.csv"));
        Assert.Contains("\"'=cmd|' -C calc'!A0\"", misclassified);
        Assert.DoesNotMatch("(^|,)=", misclassified.Replace("\"'=", "\"'"));
        Assert.DoesNotMatch("(^|\n|,)[=+@-]", predict.Out);

        var markdown = File.ReadAllText(summary);
        Assert.DoesNotContain("<img", markdown);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", markdown);
        Assert.DoesNotContain('\u001b', markdown);
        var rows = markdown.Split('\n').Where(l => l.Contains("0.", StringComparison.Ordinal) && l.Contains('|')).ToList();
        Assert.All(rows, r => Assert.StartsWith("|", r));
        Assert.Contains(rows, r => r.Contains("two\\\\nlines", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_LinksAreRelativeEncodedPaths_ThatCannotCarryAScheme()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);

        var eval = await CliRun.Of("eval", "--model", run, data, "-o", Path.Combine(run, "javascript:alert(document.domain)"));

        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.ToString());
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        var hrefs = Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(hrefs);
        Assert.All(hrefs, h => Assert.Matches("^\\.\\.?/", h));
        Assert.All(hrefs, h => Assert.DoesNotContain(":", h));
        Assert.Contains("./javascript%3Aalert%28document.domain%29/misclassified.csv", hrefs);
    }

    [Fact]
    public async Task TrainWithJsonLog_NamesASkippedFileWithTerminalCodes_Escaped()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        BadFiles.TextAsImage(Path.Combine(data, "class_a", "bad\u001b[31m\rname.png"));

        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1",
            "--log-format", "json", "-o", _dir.Combine("run"));

        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        // The warning is a JSON record on stdout, whose string escapes keep the terminal codes inert.
        foreach (var output in new[] { train.Out, train.Error })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\r', output);
        }
        var warning = train.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Single(json => json.TryGetProperty("warning", out var kind) && kind.GetString() == "skipped_image");
        Assert.Equal(Path.Combine(data, "class_a", "bad\u001b[31m\rname.png"), warning.GetProperty("path").GetString());
    }
}
