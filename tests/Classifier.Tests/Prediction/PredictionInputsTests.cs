using Classifier.Core.Prediction;
using Classifier.Tests.Support;

namespace Classifier.Tests.Prediction;

public sealed class PredictionInputsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Enumerate_WalksFoldersRecursively_InNameOrder_SkippingHiddenAndNonImages()
    {
        foreach (var name in new[] { "b.png", "a.JPG", "c.txt", ".hidden.png", "sub/z.webp", "sub/y.bmp", ".git/x.png", "a-sub/w.gif" })
        {
            var path = _dir.Combine(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }

        var inputs = PredictionInputs.Enumerate([_dir.Path]).ToList();

        Assert.All(inputs, i => Assert.Null(i.Error));
        Assert.Equal(["a.JPG", "b.png", "a-sub/w.gif", "sub/y.bmp", "sub/z.webp"],
            inputs.Select(i => Path.GetRelativePath(_dir.Path, i.Path).Replace('\\', '/')));
    }

    [Fact]
    public void Enumerate_TakesAFileAsGiven_AndReportsAMissingPath()
    {
        var file = _dir.Combine("photo.unknown");
        File.WriteAllText(file, "");

        var inputs = PredictionInputs.Enumerate([file, _dir.Combine("missing")]).ToList();

        Assert.Equal(new PredictionInput(file), inputs[0]);
        Assert.Equal("no such file or folder", inputs[1].Error);
    }

    [Fact]
    public void Enumerate_ShowsFoundAndMissingPathsTheSameWay_Absolute()
    {
        var file = _dir.Combine("found.png");
        File.WriteAllText(file, "");
        var relativeFound = Path.GetRelativePath(Environment.CurrentDirectory, file);
        var relativeMissing = Path.GetRelativePath(Environment.CurrentDirectory, _dir.Combine("missing.png"));

        var inputs = PredictionInputs.Enumerate([relativeFound, relativeMissing]).ToList();

        Assert.Equal(file, inputs[0].Path);
        Assert.Equal(_dir.Combine("missing.png"), inputs[1].Path);
        Assert.Equal("no such file or folder", inputs[1].Error);
    }

    [Fact]
    public void Enumerate_IsLazy()
    {
        static IEnumerable<string> Arguments(string file)
        {
            yield return file;
            throw new InvalidOperationException("enumerated too far");
        }
        var file = _dir.Combine("one.png");
        File.WriteAllText(file, "");

        Assert.Equal(file, PredictionInputs.Enumerate(Arguments(file)).First().Path);
    }
}
