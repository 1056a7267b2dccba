using System.Text.Json.Nodes;
using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// <c>eval --merge</c> checks every field of a shard's metrics.json against the others and refuses a file
/// whose figures no evaluation could give, naming the file and the field, instead of merging them or crashing.
/// </summary>
public sealed class ShardMergeFieldTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> Edits => new()
    {
        { "top_k_correct", "1000000", "top_k_correct" },
        { "loss_sum", "null", "loss_sum" },
        { "loss_sum", "\"NaN\"", "loss_sum" },
        { "seconds", "-1e308", "seconds" },
        { "shard.index", "2", "shard.index" },
        { "images", "9223372036854775807", "images" },
        { "confusion_matrix.0.0", "9223372036854775807", "confusion_matrix" },
    };

    [Fact]
    public async Task Merge_OfShardsEvaluatedWithAModelFileReplacedBetweenThem_IsRefused()
    {
        // The same m.cls path, two different models.
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var runA = _dir.Combine("a");
        var runB = _dir.Combine("b");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "--seed", "1", "-o", runA)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "--seed", "2", "-o", runB)).ExitCode);
        var model = _dir.Combine("m.cls");
        File.Copy(Path.Combine(runA, "best.cls"), model);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", model, "--shard", "0/2", "-o", _dir.Combine("s0"), data)).ExitCode);
        File.Copy(Path.Combine(runB, "best.cls"), model, overwrite: true);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", model, "--shard", "1/2", "-o", _dir.Combine("s1"), data)).ExitCode);

        var merge = await CliRun.Of("eval", "--merge", _dir.Combine("s0", "metrics.json"), _dir.Combine("s1", "metrics.json"), "-o", _dir.Combine("merged"));

        Assert.True(merge.ExitCode == ExitCodes.InputError, merge.ToString());
        Assert.Contains("the model was replaced between the shards", merge.Error);
    }

    [Fact]
    public async Task Merge_OfShardsOfADataFolderChangedBetweenThem_IsRefused()
    {
        // The same folder path and image count, one image's bytes changed between the shards.
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", run, "--shard", "0/2", "-o", _dir.Combine("s0"), data)).ExitCode);
        var image = Directory.EnumerateFiles(data, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.AppendAllText(image, "trailing bytes"); // still a readable PNG, of another size
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", run, "--shard", "1/2", "-o", _dir.Combine("s1"), data)).ExitCode);

        var merge = await CliRun.Of("eval", "--merge", _dir.Combine("s0", "metrics.json"), _dir.Combine("s1", "metrics.json"), "-o", _dir.Combine("merged"));

        Assert.True(merge.ExitCode == ExitCodes.InputError, merge.ToString());
        Assert.Contains("the data changed between the shards", merge.Error);
    }

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Merge_OfAShardWithAnImpossibleField_IsRefusedNamingTheFileAndField(string field, string json, string named)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        var shard0 = _dir.Combine("s0");
        var shard1 = _dir.Combine("s1");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", run, "--shard", "0/2", "--top-k", "2", "-o", shard0, data)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("eval", "--model", run, "--shard", "1/2", "--top-k", "2", "-o", shard1, data)).ExitCode);
        var edited = Path.Combine(shard1, "metrics.json");
        var root = JsonNode.Parse(File.ReadAllText(edited))!;
        var parts = field.Split('.');
        JsonNode parent = root;
        foreach (var part in parts[..^1]) parent = int.TryParse(part, out int i) ? parent[i]! : parent[part]!;
        if (int.TryParse(parts[^1], out int last)) parent[last] = JsonNode.Parse(json);
        else parent[parts[^1]] = JsonNode.Parse(json);
        File.WriteAllText(edited, root.ToJsonString());

        var merge = await CliRun.Of("eval", "--merge", Path.Combine(shard0, "metrics.json"), edited, "-o", _dir.Combine("merged"));

        Assert.True(merge.ExitCode == ExitCodes.InputError, merge.ToString());
        Assert.Contains($"'{named}", merge.Error);
        Assert.Contains("metrics.json", merge.Error);
        Assert.DoesNotContain("   at ", merge.Error);
    }
}
