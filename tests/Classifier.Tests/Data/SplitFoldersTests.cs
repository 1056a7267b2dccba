using Classifier.Core;
using Classifier.Core.Checking;
using Classifier.Core.Data;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Data;

/// <summary>Data folders laid out as datasets are published: train/, val/ (valid/, validation/) and test/.</summary>
public sealed class SplitFoldersTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Layout(string name, params string[] splits)
    {
        var root = _dir.Combine(name);
        for (int i = 0; i < splits.Length; i++)
            TestImages.StripesDataset(Path.Combine(root, splits[i]), classes: 2, perClass: splits[i] == "train" ? 10 : 4, size: 24, seed: i + 1);
        return root;
    }

    [Fact]
    public void TrainAndTest_TrainsOnTheClassesOfTrain_ValidatesOnASplitOfIt_AndKeepsTestForTheEnd()
    {
        var root = Layout("fm", "train", "test");

        var (train, validation, source) = TrainingData.Resolve(new TrainOptions { DataDir = root });

        Assert.Equal(["class_a", "class_b"], train.ClassNames);
        Assert.Equal(train.Root, validation.Root);
        Assert.Equal(20, train.Images.Count + validation.Images.Count);
        Assert.Contains("split of", source);
        Assert.Equal(Path.Combine(root, "test"), TrainingData.TestFolder(new TrainOptions { DataDir = root }));
    }

    [Theory]
    [InlineData("val")]
    [InlineData("valid")]
    [InlineData("validation")]
    public void TrainValidationAndTest_ValidatesOnTheValidationFolder(string validationName)
    {
        var root = Layout("fm-" + validationName, "train", validationName, "test");

        var (train, validation, _) = TrainingData.Resolve(new TrainOptions { DataDir = root });

        Assert.Equal(20, train.Images.Count);
        Assert.Equal(Path.Combine(root, validationName), validation.Root);
        Assert.Equal(Path.Combine(root, "test"), SplitFolders.Find(root)!.Test);
    }

    [Fact]
    public void SplitNamesWithoutTrain_AreRefused_NotTakenAsClasses()
    {
        var root = Layout("odd", "test", "val");

        var e = Assert.Throws<ClassifierException>(() => TrainingData.Resolve(new TrainOptions { DataDir = root }));

        Assert.Contains("named like dataset splits (test/, val/) but no train/", e.Message);
    }

    [Fact]
    public void ClassFolders_AreNoLayout()
    {
        var root = TestImages.StripesDataset(_dir.Combine("plain"), classes: 2, perClass: 3, size: 24);

        Assert.Null(SplitFolders.Find(root));
    }

    [Fact]
    public void Check_ListsTrainAndTest_AsTheirOwnFolders()
    {
        var root = Layout("checked", "train", "test");

        var report = DatasetChecker.Run(new CheckOptions { DataDir = root });

        Assert.Equal(["train", "test"], report.Folders.Select(f => f.Name));
        Assert.All(report.Folders, f => Assert.Equal(2, f.Classes.Count));
    }

    [Fact]
    public async Task Train_OnTrainAndTest_EvaluatesTestAtTheEnd_AsEvalTest()
    {
        var root = Layout("e2e", "train", "test");
        var output = _dir.Combine("run");

        var run = await CliRun.Of("train", root, "-e", "1", "--image-size", "24", "--batch-size", "5", "--threads", "1", "-o", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(output, "eval-test", "metrics.json")), run.ToString());
        Assert.Contains("Test:", run.Out);
        Assert.DoesNotContain("\"train\"", File.ReadAllText(Path.Combine(output, "dataset.json")));
    }
}
