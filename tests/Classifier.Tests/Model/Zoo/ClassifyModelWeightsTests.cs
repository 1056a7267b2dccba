using Classifier.Core;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

/// <summary><c>--weights RUN_DIR</c> and <c>--weights model.cls</c>: starting from a model classify trained.</summary>
public sealed class ClassifyModelWeightsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _run;

    public ClassifyModelWeightsTests()
    {
        var data = TestImages.StripesDataset(_dir.Combine("three"), classes: 3, perClass: 6, size: 24);
        _run = new Trainer(new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("first"), ImageSize = 24, Epochs = 1, BatchSize = 6, Threads = 1, Seed = 3,
        }, new RecordingObserver()).Run().Run.Path;
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RunFolder_WithOtherClasses_LoadsEveryLayerButTheClassifier_AndSaysSo()
    {
        var spec = NetworkRegistry.Get("seed-cnn");
        manual_seed(1);
        using var network = spec.Create(2, 24);
        var fresh = network.state_dict()["fc2.weight"].clone();

        var note = ClassifyModelWeights.Load(_run, spec, network, ["cat", "dog"]);

        using var source = ModelFile.Load(Path.Combine(_run, "best.cls"));
        var from = source.Network.state_dict();
        var to = network.state_dict();
        Assert.True(to["conv1.weight"].equal(from["conv1.weight"]).all().item<bool>());
        Assert.True(to["fc1.weight"].equal(from["fc1.weight"]).all().item<bool>());
        Assert.True(to["fc2.weight"].equal(fresh).all().item<bool>());
        Assert.Contains("replaced by a new one for 2 classes", note);
    }

    [Fact]
    public void ModelFile_WithTheSameClasses_IsLoadedInFull_AndTrainingStartsFromIt()
    {
        var observer = new RecordingObserver();

        var result = new Trainer(new TrainOptions
        {
            DataDir = _dir.Combine("three"), OutputDir = _dir.Combine("second"), Weights = Path.Combine(_run, "best.cls"),
            ImageSize = 24, Epochs = 1, BatchSize = 6, Threads = 1, Seed = 3,
        }, observer).Run();

        Assert.Contains("loaded in full", observer.Started!.WeightsNote);
        Assert.Equal("best.cls", ModelFile.ReadInfo(result.Run.BestModel).Weights);
    }

    [Fact]
    public void ModelOfAnotherArchitecture_IsRefusedNamingIt()
    {
        var e = Assert.Throws<ClassifierException>(() => WeightsSource.CheckSource(_run, NetworkRegistry.Get("resnet18")));

        Assert.Contains("is a seed-cnn model, not resnet18", e.Message);
        Assert.Contains("--model seed-cnn", e.Message);
    }

    [Fact]
    public void FolderWithoutAModel_IsRefusedNamingWhatIsMissing()
    {
        Directory.CreateDirectory(_dir.Combine("empty"));

        var e = Assert.Throws<ClassifierException>(() => WeightsSource.CheckSource(_dir.Combine("empty"), NetworkRegistry.Get("seed-cnn")));

        Assert.Contains("without best.cls or last.cls", e.Message);
    }
}
