using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>Class names that differ only in case or in Unicode normalisation are warned about.</summary>
public sealed class LookAlikeClassTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CheckAndTrain_WarnAboutCafeInNfcAndNfd_AndCatAndcat()
    {
        var data = _dir.Combine("data");
        string[] names = ["caf\u00e9", "cafe\u0301", "Cat", "cat"];
        for (int i = 0; i < names.Length; i++)
            for (int k = 0; k < 3; k++)
                TestImages.Solid(Path.Combine(data, names[i], $"{k}.png"), 24, (byte)(60 * i), (byte)(20 * k), 90);

        var check = await CliRun.Of("check", data);
        var train = await CliRun.Of("train", data, "--validation-split", "0.34", "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", _dir.Combine("run"));

        var checkText = check.Out + check.Error;
        Assert.Contains("look-alike-classes", checkText);
        Assert.Contains("U+0065 U+0301", checkText); // the decomposed spelling is shown by its code points
        Assert.Contains("'Cat' (U+0043 U+0061 U+0074), 'cat'", checkText);
        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.Equal(2, train.Error.Split('\n').Count(l => l.StartsWith("warning: class names ", StringComparison.Ordinal)));
    }
}
