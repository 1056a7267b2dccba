using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>An unknown first word is an unknown verb, whatever options follow it.</summary>
public sealed class UnknownVerbTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("frobnicate", "--model", "runs/x")]
    [InlineData("frobnicate", "--model=runs/x", "images")]
    [InlineData("frobnicate", "images", "-o", "out")]
    public async Task AnUnknownFirstWord_IsAnUnknownVerb_NotAnUnknownOption(params string[] args)
    {
        var result = await CliRun.Of(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Equal("", result.Out);
        var line = result.Error.Split('\n')[0];
        Assert.StartsWith("error: unknown verb 'frobnicate'; the verbs are ", line);
        Assert.All(["train", "eval", "predict", "export"], verb => Assert.Contains($" {verb},", line));
        Assert.DoesNotContain("option", line);
    }

    [Fact]
    public async Task AMistypedVerbWithOptions_SuggestsTheVerb()
    {
        var result = await CliRun.Of("trian", "--model", "seed-cnn", "data");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: unknown verb 'trian' (did you mean 'train'?)", result.Error);
    }

    [Fact]
    public async Task AnUnknownOptionBeforeAnyVerb_IsStillAnUnknownOption()
    {
        var result = await CliRun.Of("--frobnicate", "train");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: unknown option '--frobnicate'", result.Error);
    }
}
