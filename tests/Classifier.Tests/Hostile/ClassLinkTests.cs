using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>A link that makes one image a member of two classes is refused, naming the link's path.</summary>
public sealed class ClassLinkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Train_WithALinkThatPutsOtherClassesImagesUnderOneClass_RefusesNamingTheLink()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        File.CreateSymbolicLink(Path.Combine(data, "class_a", "loop"), "..");

        var result = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", _dir.Combine("run"));

        Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
        Assert.Contains("are the same file, reached through a link", result.Error);
        Assert.Contains(Path.Combine("class_a", "loop", "class_b"), result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
