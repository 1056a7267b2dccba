using System.Security.Cryptography;
using Classifier.Core;
using Classifier.Core.Model.Zoo;
using Classifier.Tests.Support;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The whole fetch path (PyTorch's cache, then a download) against a loopback server this test starts, with files the
/// test makes whose names carry their own SHA-256 prefix, as torchvision's do.
/// </summary>
public sealed class WeightsCacheTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CacheDir => _dir.Combine("torch", "hub", "checkpoints");

    /// <summary>Random bytes and the torchvision-style name that carries their hash: NAME-XXXXXXXX.pth.</summary>
    private static (string Name, byte[] Bytes, string Sha256) MakeFile(string stem, int bytes, int seed = 1)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        return ($"{stem}-{sha[..8]}.pth", data, sha);
    }

    /// <summary>A weight set at torchvision's address; the mirror (the loopback server) is where it is fetched from.</summary>
    private static TorchVisionWeights Weights(string fileName) =>
        TorchVisionWeights.ImageNet("resnet18", 1, $"https://download.pytorch.org/models/{fileName}", 69.758, 89.078, isDefault: true);

    private WeightsCache Cache(LoopbackHttpServer? server, double stallSeconds = 10, bool offline = false) => new(new WeightsFetchSettings
    {
        CacheDirectory = CacheDir,
        Mirror = server?.BaseUrl,
        StallTimeout = TimeSpan.FromSeconds(stallSeconds),
        Offline = offline,
    });

    private void AssertNothingUnderTheFinalName(string fileName)
    {
        Assert.False(File.Exists(Path.Combine(CacheDir, fileName)), "nothing may be left under the final name");
        if (Directory.Exists(CacheDir)) Assert.Empty(Directory.GetFiles(CacheDir));
    }

    [Fact]
    public void MissingFile_IsDownloadedFromTheMirror_IntoTheCache_WithProgress_AndThenServedFromTheCache()
    {
        var (name, bytes, sha) = MakeFile("resnet18", 300_000);
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]> { [name] = bytes });
        var progress = new List<DownloadProgress>();

        var fetched = Cache(server).Fetch(Weights(name), progress.Add);

        Assert.True(fetched.Downloaded);
        Assert.Equal(Path.Combine(CacheDir, name), fetched.Path);
        Assert.Equal(sha, fetched.Sha256);
        Assert.Equal(bytes, File.ReadAllBytes(fetched.Path));
        Assert.Equal([fetched.Path], Directory.GetFiles(CacheDir));
        Assert.Equal(new Uri(server.BaseUrl, name).AbsoluteUri, progress[0].Url);
        Assert.Equal(0, progress[0].ReceivedBytes);
        Assert.Equal(bytes.Length, progress[0].TotalBytes);
        Assert.True(progress[^1].Done);
        Assert.Equal(bytes.Length, progress[^1].ReceivedBytes);
        Assert.Single(progress, p => p.Done);
        Assert.Equal(progress.Select(p => p.ReceivedBytes).Order(), progress.Select(p => p.ReceivedBytes));

        var again = Cache(server).Fetch(Weights(name));

        Assert.False(again.Downloaded);
        Assert.Equal(sha, again.Sha256);
        Assert.Single(server.Paths);
    }

    [Fact]
    public void WithoutAMirror_TheWeightsOwnUrlIsUsed_AndRedirectsAreFollowed()
    {
        var (name, bytes, _) = MakeFile("mobilenet_v2", 50_000);
        using var server = new LoopbackHttpServer(async (path, stream, token) =>
        {
            if (path == "/models/" + name) await LoopbackHttpServer.SendStatusAsync(stream, "302 Found", token, $"Location: /files/{name}");
            else if (path == "/files/" + name) await LoopbackHttpServer.SendAsync(stream, bytes, token);
            else await LoopbackHttpServer.SendStatusAsync(stream, "404 Not Found", token);
        });
        var weights = Weights(name) with { Url = new Uri(server.BaseUrl, "models/" + name).AbsoluteUri };

        var fetched = Cache(null).Fetch(weights);

        Assert.Equal(bytes, File.ReadAllBytes(fetched.Path));
        Assert.Equal(["/models/" + name, "/files/" + name], server.Paths);
    }

    [Fact]
    public void StalledServer_HeadersThenNothing_TimesOut_WithOneMessage_AndLeavesNoFile()
    {
        var (name, bytes, _) = MakeFile("resnet18", 10_000);
        using var server = new LoopbackHttpServer(async (_, stream, token) =>
        {
            await LoopbackHttpServer.SendHeadersAsync(stream, "200 OK", bytes.Length, token);
            await Task.Delay(Timeout.Infinite, token);
        });
        var started = DateTime.UtcNow;

        var e = Assert.Throws<ClassifierException>(() => Cache(server, stallSeconds: 0.5).Fetch(Weights(name)));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
        Assert.Contains("stalled", e.Message);
        Assert.Contains("CLASSIFY_DOWNLOAD_TIMEOUT", e.Message);
        AssertNamesWhatToDo(e, server, name);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void ServerThatNeverAnswers_TimesOut()
    {
        var (name, _, _) = MakeFile("resnet18", 1_000);
        using var server = new LoopbackHttpServer((_, _, token) => Task.Delay(Timeout.Infinite, token));

        var e = Assert.Throws<ClassifierException>(() => Cache(server, stallSeconds: 0.5).Fetch(Weights(name)));

        Assert.Contains("no answer within 0.5 s", e.Message);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void StallHalfwayThroughTheBody_TimesOut_AndLeavesNoFile()
    {
        var (name, bytes, _) = MakeFile("resnet18", 200_000);
        using var server = new LoopbackHttpServer(async (_, stream, token) =>
        {
            await LoopbackHttpServer.SendHeadersAsync(stream, "200 OK", bytes.Length, token);
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), token);
            await stream.FlushAsync(token);
            await Task.Delay(Timeout.Infinite, token);
        });

        var e = Assert.Throws<ClassifierException>(() => Cache(server, stallSeconds: 0.5).Fetch(Weights(name)));

        Assert.Contains("no data for 0.5 s after", e.Message);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void TruncatedBody_IsRefused_AndLeavesNoFile()
    {
        var (name, bytes, _) = MakeFile("resnet18", 100_000);
        using var server = new LoopbackHttpServer(async (_, stream, token) =>
        {
            await LoopbackHttpServer.SendHeadersAsync(stream, "200 OK", bytes.Length, token);
            await stream.WriteAsync(bytes.AsMemory(0, 40_000), token);
        });

        var e = Assert.Throws<ClassifierException>(() => Cache(server).Fetch(Weights(name)));

        Assert.Contains("40,000", e.Message);
        AssertNamesWhatToDo(e, server, name);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void FileWhoseHashDoesNotMatchItsName_IsDeleted_AndNamed()
    {
        var (name, _, _) = MakeFile("resnet18", 20_000, seed: 1);
        var (_, other, otherSha) = MakeFile("resnet18", 20_000, seed: 2);
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]> { [name] = other });

        var e = Assert.Throws<ClassifierException>(() => Cache(server).Fetch(Weights(name)));

        Assert.Contains($"SHA-256 {otherSha}", e.Message);
        Assert.Contains($"starts with {name[9..17]}", e.Message);
        Assert.Contains("deleted", e.Message);
        AssertNamesWhatToDo(e, server, name);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void MissingOnTheServer_IsOneMessageWithTheStatus()
    {
        var (name, _, _) = MakeFile("resnet18", 1_000);
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]>());

        var e = Assert.Throws<ClassifierException>(() => Cache(server).Fetch(Weights(name)));

        Assert.Contains("404", e.Message);
        AssertNamesWhatToDo(e, server, name);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public async Task TwoFetchersAtOnce_BothSucceed_WithOneIntactFile()
    {
        var (name, bytes, sha) = MakeFile("resnet50", 1_000_000);
        int arrived = 0;
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LoopbackHttpServer(async (_, stream, token) =>
        {
            if (Interlocked.Increment(ref arrived) == 2) bothArrived.TrySetResult();
            // Both downloads are in flight before either body is sent; the bodies then interleave in small blocks.
            await bothArrived.Task.WaitAsync(TimeSpan.FromSeconds(20), token);
            await LoopbackHttpServer.SendHeadersAsync(stream, "200 OK", bytes.Length, token);
            for (int offset = 0; offset < bytes.Length; offset += 50_000)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(50_000, bytes.Length - offset)), token);
                await stream.FlushAsync(token);
                await Task.Delay(5, token);
            }
        });

        var fetches = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Cache(server).Fetch(Weights(name)))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(fetches, f => Assert.Equal(sha, f.Sha256));
        Assert.All(fetches, f => Assert.True(f.Downloaded));
        Assert.Equal(2, server.Paths.Count);
        Assert.Equal([Path.Combine(CacheDir, name)], Directory.GetFiles(CacheDir));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(CacheDir, name)));
    }

    [Fact]
    public void CancelledDownload_LeavesNoFile()
    {
        var (name, bytes, _) = MakeFile("resnet18", 200_000);
        using var server = new LoopbackHttpServer(async (_, stream, token) =>
        {
            await LoopbackHttpServer.SendHeadersAsync(stream, "200 OK", bytes.Length, token);
            await stream.WriteAsync(bytes.AsMemory(0, 100_000), token);
            await stream.FlushAsync(token);
            await Task.Delay(Timeout.Infinite, token);
        });
        using var cancel = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Cache(server, stallSeconds: 60).Fetch(Weights(name), p => { if (p.ReceivedBytes > 0) cancel.Cancel(); }, cancel.Token));

        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void Offline_WithTheFileMissing_FailsWithoutOpeningAConnection()
    {
        var (name, bytes, _) = MakeFile("resnet18", 1_000);
        using var server = LoopbackHttpServer.Serving(new Dictionary<string, byte[]> { [name] = bytes });

        var e = Assert.Throws<ClassifierException>(() => Cache(server, offline: true).Fetch(Weights(name)));

        Assert.Contains("CLASSIFY_OFFLINE=1", e.Message);
        Assert.Contains($"curl -L -o {Path.Combine(CacheDir, name)}", e.Message);
        Thread.Sleep(200);
        Assert.Empty(server.Paths);
    }

    [Fact]
    public void FilePlacedInATemporaryTorchHome_IsUsedAsItIs_EvenOffline()
    {
        var (name, bytes, sha) = MakeFile("resnet18", 5_000);
        var torchHome = _dir.Combine("my torch home");
        var settings = WeightsFetchSettings.From(v => v switch { "TORCH_HOME" => torchHome, "CLASSIFY_OFFLINE" => "1", _ => null });
        Directory.CreateDirectory(Path.Combine(torchHome, "hub", "checkpoints"));
        File.WriteAllBytes(Path.Combine(torchHome, "hub", "checkpoints", name), bytes);

        var fetched = new WeightsCache(settings).Fetch(Weights(name));

        Assert.False(fetched.Downloaded);
        Assert.Equal(Path.Combine(torchHome, "hub", "checkpoints", name), fetched.Path);
        Assert.Equal(sha, fetched.Sha256);
    }

    [Fact]
    public void DamagedFileInTheCache_IsDeletedAndNamed()
    {
        var (name, _, _) = MakeFile("resnet18", 5_000);
        Directory.CreateDirectory(CacheDir);
        File.WriteAllBytes(Path.Combine(CacheDir, name), [1, 2, 3]);

        var e = Assert.Throws<ClassifierException>(() => Cache(null, offline: true).Fetch(Weights(name)));

        Assert.Contains(Path.Combine(CacheDir, name), e.Message);
        Assert.Contains("damaged", e.Message);
        Assert.Contains("deleted", e.Message);
        AssertNothingUnderTheFinalName(name);
    }

    [Fact]
    public void CacheFolder_FollowsTorchHubsRule()
    {
        string home = _dir.Combine("home");
        string Folder(params (string Name, string Value)[] variables) =>
            WeightsFetchSettings.CacheDirectoryFrom(v => variables.FirstOrDefault(p => p.Name == v).Value ?? (v == "HOME" ? home : null));

        Assert.Equal(_dir.Combine("th", "hub", "checkpoints"), Folder(("TORCH_HOME", _dir.Combine("th")), ("XDG_CACHE_HOME", _dir.Combine("xdg"))));
        Assert.Equal(_dir.Combine("xdg", "torch", "hub", "checkpoints"), Folder(("XDG_CACHE_HOME", _dir.Combine("xdg"))));
        Assert.Equal(Path.Combine(home, ".cache", "torch", "hub", "checkpoints"), Folder());
        Assert.Equal(Path.Combine(home, "t", "hub", "checkpoints"), Folder(("TORCH_HOME", "~/t")));
        Assert.Equal(Path.Combine(home, ".cache", "torch", "hub", "checkpoints"), Folder(("TORCH_HOME", ""), ("XDG_CACHE_HOME", "")));
    }

    [Theory]
    [InlineData("CLASSIFY_WEIGHTS_MIRROR", "ftp://example.org/", "is not an http(s) URL")]
    [InlineData("CLASSIFY_WEIGHTS_MIRROR", "not a url", "is not an http(s) URL")]
    [InlineData("CLASSIFY_DOWNLOAD_TIMEOUT", "0", "is not a number of seconds")]
    [InlineData("CLASSIFY_DOWNLOAD_TIMEOUT", "soon", "is not a number of seconds")]
    public void BadEnvironmentValue_IsOneMessageNamingTheVariable(string variable, string value, string expected)
    {
        var e = Assert.Throws<ClassifierException>(() => WeightsFetchSettings.From(v => v == variable ? value : null));

        Assert.Contains(variable, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Environment_SetsMirrorOfflineAndTimeout()
    {
        var settings = WeightsFetchSettings.From(v => v switch
        {
            "CLASSIFY_WEIGHTS_MIRROR" => "https://mirror.example/torch",
            "CLASSIFY_OFFLINE" => "1",
            "CLASSIFY_DOWNLOAD_TIMEOUT" => "2.5",
            _ => null,
        });

        Assert.True(settings.Offline);
        Assert.Equal(TimeSpan.FromSeconds(2.5), settings.StallTimeout);
        Assert.Equal("https://mirror.example/torch/resnet18-f37072fd.pth",
            settings.SourceOf(NetworkRegistry.Get("resnet18").TorchVisionWeights[0]).AbsoluteUri);
        Assert.False(WeightsFetchSettings.From(v => v == "CLASSIFY_OFFLINE" ? "0" : null).Offline);
    }

    private void AssertNamesWhatToDo(ClassifierException e, LoopbackHttpServer server, string name)
    {
        Assert.Contains(Weights(name).Describe(), e.Message);
        Assert.Contains($"URL tried: {new Uri(server.BaseUrl, name).AbsoluteUri}", e.Message);
        Assert.Contains($"cache file: {Path.Combine(CacheDir, name)}", e.Message);
        Assert.Contains($"curl -L -o {Path.Combine(CacheDir, name)} {new Uri(server.BaseUrl, name).AbsoluteUri}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
