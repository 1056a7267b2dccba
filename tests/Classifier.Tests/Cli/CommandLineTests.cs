using System.CommandLine;
using System.Text.RegularExpressions;
using Classifier.Cli;
using Classifier.Core.Options;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>What a user sees when the command line is wrong, and in --help.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Verbs => new() { "train", "eval", "predict", "plot", "runs", "benchmark", "export", "check", "fuzz", "serve" };

    /// <summary>Asserts a usage error: exit 1, nothing on stdout, the message and a help hint on stderr (two lines).</summary>
    private static void AssertUsageError(CliRun result, string expected)
    {
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Equal("", result.Out);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, result.Error);
        Assert.Contains(expected, lines[0]);
        Assert.StartsWith("Run 'classify", lines[1]);
    }

    [Fact]
    public async Task AWordForANumber_IsOneLineInPlainWords_OnStderr()
    {
        var result = await CliRun.Of("train", _dir.Path, "--image-size", "abc");
        AssertUsageError(result, "error: --image-size needs a whole number, got 'abc'.");
    }

    [Fact]
    public async Task AMistypedOption_NamesTheClosestOne_AndLeavesStdoutEmpty()
    {
        AssertUsageError(await CliRun.Of("train", _dir.Path, "--epoch", "2"), "unknown option '--epoch' (did you mean '--epochs'?)");
        AssertUsageError(await CliRun.Of("eval", "--model", _dir.Path, _dir.Path, "--fromat", "json"), "unknown option '--fromat' (did you mean '--format'?)");
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task AnUnknownOption_IsAnErrorInEveryVerb(string verb)
    {
        AssertUsageError(await CliRun.Of(verb, "--bogus-option", "1"), "unknown option '--bogus-option'");
    }

    [Fact]
    public async Task Predict_DoesNotTakeAMistypedOptionForAPath_AndTakesOneAfterDoubleDash()
    {
        var result = await CliRun.Of("predict", "--model", _dir.Path, _dir.Path, "--format", "csv", "--shardd", "0/3");
        AssertUsageError(result, "unknown option '--shardd' (did you mean '--shard'?); a PATH that starts with '-' goes after '--'");

        var afterDoubleDash = await CliRun.Of("predict", "--model", _dir.Combine("no-model"), "--", "-image.png");
        Assert.Equal(ExitCodes.InputError, afterDoubleDash.ExitCode);
        Assert.Contains("no-model", afterDoubleDash.Error);
    }

    [Fact]
    public async Task AnUnknownVerb_SuggestsTheClosest()
    {
        AssertUsageError(await CliRun.Of("trian"), "unknown verb 'trian' (did you mean 'train'?)");
    }

    [Fact]
    public async Task NoArguments_ShowsTheVerbsAndTheTwoCommonCommands()
    {
        var result = await CliRun.Of();

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        foreach (var verb in new[] { "train", "eval", "predict", "plot", "export", "check", "benchmark" })
            Assert.Matches($"(?m)^  {verb} ", result.Out);
        Assert.Contains("  classify train DATA_DIR", result.Out);
        Assert.Contains("  classify eval --model", result.Out);
        Assert.DoesNotContain("Required command", result.Out + result.Error);
    }

    public static TheoryData<string, string> NonFiniteNumbers()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in TrainOptionTable.All.Where(e => e.Kind == OptionKind.Double))
            foreach (var value in new[] { "NaN", "Infinity", "-Infinity", "1e999" })
                data.Add(entry.Flag, value);
        data.Add("--brightness-range", "NaN,1.2");
        data.Add("--brightness-range", "0.8,Infinity");
        return data;
    }

    [Theory]
    [MemberData(nameof(NonFiniteNumbers))]
    public async Task Train_RefusesNaNAndInfinities_BeforeMakingAnyFolder(string flag, string value)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 2, size: 24);
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", data, "-o", run, flag, value);

        AssertUsageError(result, $"error: {flag} needs ");
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("eval", "--min-accuracy")]
    [InlineData("check", "--imbalance-ratio")]
    [InlineData("benchmark", "--seconds")]
    [InlineData("fuzz", "--timeout")]
    public async Task OtherVerbs_RefuseNaNAndInfinities_Too(string verb, string flag)
    {
        // eval's DATA_DIR is optional (--split), so give the one option it requires; the number is the only error.
        string[] required = verb == "eval" ? ["--model", "run"] : [];
        foreach (var value in new[] { "NaN", "-Infinity", "1e400" })
            AssertUsageError(await CliRun.Of([verb, .. required, flag, value]), $"error: {flag} needs a finite number, got '{value}'.");
    }

    [Theory]
    [InlineData("""{ "data": "DATA", "label-smoothing": "NaN" }""", "\"label-smoothing\" needs a finite number")]
    [InlineData("""{ "data": "DATA", "epochs": 1, "epochs": 2 }""", "gives \"epochs\" twice")]
    public async Task Train_WithABadConfigFile_FailsInOneLine_BeforeMakingAnyFolder(string json, string expected)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 2, size: 24);
        var config = _dir.Combine("config.json");
        File.WriteAllText(config, json.Replace("DATA", data.Replace("\\", "\\\\")));
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", "--config", config, "-o", run);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_OfEveryVerb_FitsEightyColumns_AndShowsEveryValueAsAnUpperCasePlaceholderOrTheChoices(string verb)
    {
        var result = await CliRun.Of(verb, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"Usage: classify {verb}", result.Out);
        Assert.All(result.Out.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        // One style: upper-case names (N, DIR, LOW,HIGH, K/N) or the choices (table|json); never the option's own
        // name, which is what System.CommandLine shows when an option names no placeholder (<batch-size>).
        foreach (Match placeholder in Regex.Matches(result.Out, @"^  --([^ ,]*)(?:, -[^ ]*)* <([^>]+)>", RegexOptions.Multiline))
        {
            Assert.NotEqual(placeholder.Groups[1].Value, placeholder.Groups[2].Value);
            Assert.Matches(@"^([A-Z_]+([,/][A-Z]+)?|[a-z0-9_]+(/[A-Z]+)?)(\|([A-Z_]+([,/][A-Z]+)?|[a-z0-9_]+(/[A-Z]+)?))*$", placeholder.Groups[2].Value);
        }
    }

    [Fact]
    public void EveryValueOption_OfEveryVerb_NamesItsPlaceholder()
    {
        foreach (var verb in ClassifyCli.CreateRootCommand().Subcommands)
            foreach (var option in verb.Options.Where(o => o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool)))
                Assert.False(string.IsNullOrEmpty(option.HelpName), $"classify {verb.Name} {option.Name} has no placeholder");
    }

    [Fact]
    public async Task TrainHelp_GroupsTheOptions_CommonGroupsFirst_WithDefaults()
    {
        var help = (await CliRun.Of("train", "--help")).Out;

        var titles = Regex.Matches(help, @"(?m)^(\w[\w ]*):$").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["Arguments", "Data", "Model", "Training", "Augmentation", "Output", "Advanced", "Other options"], titles);
        Assert.Matches(@"--epochs, -e <N> +Passes over the training data .*\n.*\[default: 10\]", help);
        foreach (var entry in TrainOptionTable.All.Where(e => !e.IsArgument)) Assert.Contains(entry.Flag, help);
    }

    [Fact]
    public async Task Resume_WithANonResumableOption_IsRefusedNamingIt()
    {
        var result = await CliRun.Of("train", "--resume", _dir.Path, "--min-delta", "0.1");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("only --epochs, --log-format, --tensorboard may be given with it (not --min-delta)", result.Error);
    }
}
