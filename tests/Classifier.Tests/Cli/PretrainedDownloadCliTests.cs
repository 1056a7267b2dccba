using System.Security.Cryptography;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Tests.Cli;

/// <summary>
/// <c>classify train --model mobilenet_v3_small --weights imagenet</c> from end to end, with
/// <c>CLASSIFY_WEIGHTS_MIRROR</c> pointing at a loopback server that serves a torchvision-shaped state dict the test
/// writes. torchvision's real file is out of reach here, and its name carries its real hash, so the test stands its
/// own file (named with its own SHA-256 prefix) in for the network's DEFAULT entry.
/// </summary>
public sealed class PretrainedDownloadCliTests : IDisposable
{
    private const string Network = "mobilenet_v3_small";
    private readonly TempDir _dir = new();

    public PretrainedDownloadCliTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TrainWithWeightsImagenet_DownloadsIntoTorchHome_RecordsTheFile_AndLaterRunsUseTheCacheOffline()
    {
        var pth = _dir.Combine("made.pth");
        using (var source = NetworkRegistry.Get(Network).Create(1000, 224))
        {
            // Distinct from the fresh weights any seed gives, so that loading them is visible.
            using (no_grad()) source.state_dict()["features.0.0.weight"].fill_(0.125);
            source.save_py(pth);
        }
        var bytes = File.ReadAllBytes(pth);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var name = $"{Network}-{sha[..8]}.pth";
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]> { [name] = bytes });
        var torchHome = _dir.Combine("torch-home");
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 32);
        using var table = PublishedWeights.Substitute(Network,
            TorchVisionWeights.ImageNet(Network, 1, $"https://download.pytorch.org/models/{name}", 67.668, 87.402, isDefault: true));

        string[] Train(string output) =>
            ["train", data, "--model", Network, "--weights", "imagenet", "--freeze", "backbone", "--image-size", "32", "--epochs", "1", "--batch-size", "4", "-o", output];

        var first = await WithEnvironment([("TORCH_HOME", torchHome), ("CLASSIFY_WEIGHTS_MIRROR", server.BaseUrl.AbsoluteUri), ("CLASSIFY_OFFLINE", null)],
            () => CliRun.Of(Train(_dir.Combine("run1"))));

        Assert.True(first.ExitCode == 0, first.ToString());
        var cached = Path.Combine(torchHome, "hub", "checkpoints", name);
        Assert.Equal(bytes, File.ReadAllBytes(cached));
        Assert.Contains($"Downloading {server.BaseUrl}{name}", first.Error);
        Assert.Contains($"to {cached}", first.Error);
        Assert.Contains("its SHA-256 matches its name", first.Error);
        Assert.Contains("(1000 outputs) is replaced by a new one for 2 classes", first.Out);
        var info = ModelFile.ReadInfo(_dir.Combine("run1", "best.cls"));
        Assert.Equal("imagenet1k-v1", info.Weights);
        Assert.Equal(name, info.WeightsFile);
        Assert.Equal(sha, info.WeightsSha256);
        using (var trained = ModelFile.Load(_dir.Combine("run1", "best.cls")))
        using (var expected = full([16, 3, 3, 3], 0.125f))
            Assert.True(trained.Network.state_dict()["features.0.0.weight"].equal(expected).all().item<bool>(), "the frozen backbone holds the served weights");
        var report = File.ReadAllText(_dir.Combine("run1", "report.html"));
        Assert.Contains(name, report);
        Assert.Contains(sha, report);

        var offline = await WithEnvironment([("TORCH_HOME", torchHome), ("CLASSIFY_WEIGHTS_MIRROR", server.BaseUrl.AbsoluteUri), ("CLASSIFY_OFFLINE", "1")],
            () => CliRun.Of(Train(_dir.Combine("run2"))));

        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.DoesNotContain("Downloading", offline.Error);
        Assert.Single(server.Paths);
        Assert.Equal(sha, ModelFile.ReadInfo(_dir.Combine("run2", "best.cls")).WeightsSha256);

        var resumed = await WithEnvironment([("TORCH_HOME", _dir.Combine("no-cache")), ("CLASSIFY_OFFLINE", "1")],
            () => CliRun.Of("train", "--resume", _dir.Combine("run2"), "--epochs", "2"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var resumedInfo = ModelFile.ReadInfo(_dir.Combine("run2", "last.cls"));
        Assert.Equal(2, resumedInfo.Epoch);
        Assert.Equal(("imagenet1k-v1", name, sha), (resumedInfo.Weights, resumedInfo.WeightsFile, resumedInfo.WeightsSha256));

        var emptyHome = _dir.Combine("empty-home");
        var missing = await WithEnvironment([("TORCH_HOME", emptyHome), ("CLASSIFY_WEIGHTS_MIRROR", server.BaseUrl.AbsoluteUri), ("CLASSIFY_OFFLINE", "1")],
            () => CliRun.Of(Train(_dir.Combine("run3"))));

        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Error);
        Assert.Contains($"curl -L -o {Path.Combine(emptyHome, "hub", "checkpoints", name)} {server.BaseUrl}{name}", missing.Error);
        Assert.False(Directory.Exists(_dir.Combine("run3")), "nothing is written before the weights are there");
        Assert.Single(server.Paths);
    }

    [Fact]
    public async Task ModelsFetch_FillsTheCache_AndModelsShowsItCached()
    {
        var (name, bytes, sha) = (string.Empty, new byte[70_000], string.Empty);
        new Random(3).NextBytes(bytes);
        sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        name = $"{Network}-{sha[..8]}.pth";
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]> { [name] = bytes });
        var torchHome = _dir.Combine("torch-home");
        using var table = PublishedWeights.Substitute(Network,
            TorchVisionWeights.ImageNet(Network, 1, $"https://download.pytorch.org/models/{name}", 67.668, 87.402, isDefault: true));
        (string, string?)[] environment = [("TORCH_HOME", torchHome), ("CLASSIFY_WEIGHTS_MIRROR", server.BaseUrl.AbsoluteUri), ("CLASSIFY_OFFLINE", null)];

        var before = await WithEnvironment(environment, () => CliRun.Of("models"));
        var fetch = await WithEnvironment(environment, () => CliRun.Of("models", "--fetch", $"{Network}:imagenet1k-v1"));
        var again = await WithEnvironment(environment, () => CliRun.Of("models", "--fetch", Network));
        var after = await WithEnvironment(environment, () => CliRun.Of("models", "--format", "json"));

        Assert.Equal(0, before.ExitCode);
        Assert.Matches($@"{Network}\s+imagenet1k-v1 \*.*{name}\s+no", before.Out);
        Assert.True(fetch.ExitCode == 0, fetch.ToString());
        Assert.Contains($"{Network}:imagenet1k-v1  downloaded  {Path.Combine(torchHome, "hub", "checkpoints", name)}  sha256 {sha}", fetch.Out);
        Assert.Contains($"{Network}:imagenet1k-v1  cached", again.Out);
        Assert.Single(server.Paths);
        Assert.Contains($"\"file\": \"{name}\"", after.Out);
        Assert.Contains("\"cached\": true", after.Out);
    }

    [Fact]
    public async Task ModelsFetch_Failure_IsExitTwo_WithTheUrlTheCachePathAndTheCurlCommand()
    {
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]>());
        var torchHome = _dir.Combine("torch-home");

        var run = await WithEnvironment([("TORCH_HOME", torchHome), ("CLASSIFY_WEIGHTS_MIRROR", server.BaseUrl.AbsoluteUri), ("CLASSIFY_OFFLINE", null)],
            () => CliRun.Of("models", "--fetch", "resnet18"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("torchvision's IMAGENET1K_V1 weights of resnet18 (resnet18-f37072fd.pth) could not be downloaded: the server answered 404", run.Error);
        Assert.Contains($"URL tried: {server.BaseUrl}resnet18-f37072fd.pth", run.Error);
        Assert.Contains("https://download.pytorch.org/models/resnet18-f37072fd.pth", run.Error);
        Assert.Contains($"curl -L -o {Path.Combine(torchHome, "hub", "checkpoints", "resnet18-f37072fd.pth")}", run.Error);
        Assert.Empty(Directory.GetFiles(Path.Combine(torchHome, "hub", "checkpoints")));
    }

    private static async Task<T> WithEnvironment<T>((string Name, string? Value)[] variables, Func<Task<T>> body)
    {
        var previous = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToList();
        foreach (var (variable, value) in variables) Environment.SetEnvironmentVariable(variable, value);
        try
        {
            return await body();
        }
        finally
        {
            foreach (var (variable, value) in previous) Environment.SetEnvironmentVariable(variable, value);
        }
    }
}
