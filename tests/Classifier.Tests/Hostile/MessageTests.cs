using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>What error messages echo back.</summary>
public sealed class MessageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnErrorAboutAHugeValue_EchoesOnlyItsStartAndEnd()
    {
        var config = _dir.Combine("config.json");
        File.WriteAllText(config, "{\"data\": \"" + new string('x', 5_000_000) + "\"}");

        var result = await CliRun.Of("train", "--config", config, "-o", _dir.Combine("run"));

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.InRange(result.Error.Length, 20, 2_200);
        Assert.Contains("characters cut]", result.Error);
    }
}
