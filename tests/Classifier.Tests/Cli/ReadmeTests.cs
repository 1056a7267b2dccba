using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Classifier.Cli;
using Classifier.Core.Options;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>
/// The README tells the truth: its options reference is the one <see cref="TrainOptionTable"/> makes, and its Quick
/// tour runs as written, in order, on a fresh copy of the sample. The tests never write to the repository: when the
/// reference is out of date, the failure names a copy of README.md with the table's reference to review and copy over.
/// </summary>
public sealed class ReadmeTests : IDisposable
{
    private const string Begin = "<!-- train-options: generated from TrainOptionTable by ReadmeTests -->";
    private const string End = "<!-- end of train-options -->";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Repository => Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;

    private static string ReadmePath => Path.Combine(Repository, "README.md");

    /// <summary>The README's options reference for <c>train</c>: one table, a header row per group.</summary>
    public static string OptionsReference()
    {
        var text = new StringBuilder();
        text.Append("| option | default | meaning |\n| --- | --- | --- |\n");
        foreach (var group in Enum.GetValues<OptionGroup>())
        {
            text.Append($"| **{group.ToString().ToLowerInvariant()}** | | |\n");
            foreach (var entry in TrainOptionTable.All.Where(e => e.Group == group))
            {
                var names = string.Join(", ", entry.Aliases.Prepend(entry.Flag).Select(n => $"`{n}`"));
                var value = entry.IsArgument || entry.Kind.IsFlag ? "" : $" {entry.Placeholder.Replace("|", "\\|")}";
                var resume = entry.Resumable && entry.Name != "resume" ? " May be given with `--resume`." : "";
                text.Append($"| {names}{value} | {Cell(entry.ShownDefault)} | {Cell(entry.Help)}{resume} |\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Text for a Markdown table cell: pipes and angle brackets escaped.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").Replace("<", "&lt;");

    [Fact]
    public void OptionsReference_IsTheOneTheTableMakes_SoEveryTrainOptionIsInTheReadme()
    {
        var readme = File.ReadAllText(ReadmePath);
        int begin = readme.IndexOf(Begin, StringComparison.Ordinal), end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"README.md needs the markers '{Begin}' and '{End}' around the train options reference.");
        var current = readme[(begin + Begin.Length)..end].Trim('\n');
        var expected = OptionsReference().Trim('\n');
        if (current == expected) return;
        var proposed = Path.Combine(Path.GetTempPath(), "classify-README.md");
        File.WriteAllText(proposed, readme[..(begin + Begin.Length)] + "\n" + expected + "\n" + readme[end..]);
        Assert.Fail($"README.md's train options reference is not the table's. {proposed} is README.md with the table's "
            + $"reference: review it, then cp {proposed} README.md. Expected:\n{expected}");
    }

    /// <summary>The command lines of the Quick tour's code block, without comments.</summary>
    public static List<string> QuickTourCommands()
    {
        var readme = File.ReadAllText(ReadmePath);
        var tour = Regex.Match(readme, @"(?ms)^## Quick tour\n.*?^```sh\n(.*?)^```");
        Assert.True(tour.Success, "README.md has no '## Quick tour' section with a ```sh block.");
        return tour.Groups[1].Value.Split('\n')
            .Select(line => Regex.Replace(line, @"(^|\s+)#.*$", "").Trim())
            .Where(line => line.Length > 0).ToList();
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task QuickTour_RunsAsWritten_InOrder_OnAFreshCopyOfTheSample()
    {
        var commands = QuickTourCommands();
        Assert.Equal("dotnet publish src/Classifier.Cli -c Release -o out", commands[0]);
        var copy = _dir.Combine("samples", "fashion-mini");
        CopyFolder(SampleData.FashionMini, copy);

        // The first line builds out/classify; the rest run the CLI built beside the tests with the same arguments, in
        // the copy's folder (the test process's own working directory stays as it is).
        foreach (var command in commands.Skip(1))
        {
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            Assert.True(words[0] == "out/classify", $"The Quick tour may only run out/classify after building it: '{command}'.");
            string? redirect = null;
            if (words.Count > 2 && words[^2] == ">")
            {
                redirect = words[^1];
                words.RemoveRange(words.Count - 2, 2);
            }
            Assert.DoesNotContain(words, w => w.Contains('"') || w.Contains('\'') || w.Contains('|') || w.Contains('$'));

            var (exitCode, output, error) = await Classify(words.Skip(1));

            Assert.True(exitCode == ExitCodes.Ok, $"'{command}' failed (exit {exitCode}):\n{output}\n{error}");
            if (redirect is not null) File.WriteAllText(_dir.Combine(redirect), output);
        }
    }

    /// <summary>Runs the CLI built beside the tests in the sample copy's folder.</summary>
    private async Task<(int ExitCode, string Output, string Error)> Classify(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "classify"))
        {
            WorkingDirectory = _dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("GITHUB_STEP_SUMMARY");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
