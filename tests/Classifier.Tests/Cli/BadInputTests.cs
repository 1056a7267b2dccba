using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<CliRun> Train(string data, string run, params string[] extra) =>
        CliRun.Of(["train", data, "--image-size", "24", "--epochs", "1", "--batch-size", "8", "--threads", "1", "-o", run, .. extra]);

    [Fact]
    public async Task Train_OnAFolderOfBadFiles_Finishes_NamingEachSkippedFile_AndListsThemInSkippedCsv()
    {
        var data = new BadDataset(_dir.Combine("data"));
        var run = _dir.Combine("run");

        var result = await Train(data.Root, run);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        foreach (var (path, word) in data.Unreadable)
            Assert.Matches($"warning: skipped '{System.Text.RegularExpressions.Regex.Escape(path)}': .*{word}", result.Error);
        Assert.Contains($"Skipped: {data.Unreadable.Count} unreadable file(s)", result.Out);
        var rows = File.ReadAllLines(Path.Combine(run, RunFolder.SkippedName));
        Assert.Equal("path,reason", rows[0]);
        Assert.Equal(data.Unreadable.Keys.Order(StringComparer.Ordinal), rows[1..].Select(r => r[..r.IndexOf(',')]));
        Assert.True(File.Exists(Path.Combine(run, RunFolder.BestModelName)));
    }

    [Fact]
    public async Task Train_WithStrict_FailsAtTheFirstBadFile_NamingIt()
    {
        var data = new BadDataset(_dir.Combine("data"));

        var result = await Train(data.Root, _dir.Combine("run"), "--strict");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: Cannot read '", line);
        Assert.Contains(data.Unreadable.Keys, path => line.Contains($"'{path}'"));
        Assert.Contains("--strict stops at the first bad file", line);
        Assert.DoesNotContain("warning: skipped", result.Error);
    }

    [Fact]
    public async Task Eval_ReportsSkippedFiles_AndWithStrictFailsNamingTheFirst()
    {
        var data = new BadDataset(_dir.Combine("data"));
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await Train(data.Root, run)).ExitCode);

        var eval = await CliRun.Of("eval", "--model", run, data.Train, "--format", "json");

        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.ToString());
        using var json = JsonDocument.Parse(eval.Out);
        var skipped = json.RootElement.GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("path").GetString()).ToList();
        Assert.Equal(data.Unreadable.Keys.Order(StringComparer.Ordinal), skipped);
        foreach (var path in data.Unreadable.Keys) Assert.Contains($"warning: skipped '{path}'", eval.Error);

        var table = await CliRun.Of("eval", "--model", run, data.Train);
        Assert.Contains($"{data.Unreadable.Count} skipped", table.Out);

        var strict = await CliRun.Of("eval", "--model", run, data.Train, "--strict");
        Assert.Equal(ExitCodes.InputError, strict.ExitCode);
        Assert.Contains(data.Unreadable.Keys, path => strict.Error.Contains($"Cannot read '{path}'"));
    }

    public static TheoryData<string, string> BadModelFiles => new()
    {
        { "random-bytes", "not a classify model file" },
        { "zero-bytes", "not a classify model file" },
        { "png-renamed", "not a classify model file" },
        { "truncated", "damaged" },
        { "flipped-byte", "damaged" },
        { "future-version", "format version 99" },
    };

    [Theory]
    [MemberData(nameof(BadModelFiles))]
    public async Task Eval_WithABadModelFile_ExitsTwoWithAClearMessage(string kind, string expected)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 2, size: 24);
        var model = _dir.Combine(kind + ".cls");
        if (kind is "truncated" or "flipped-byte" or "future-version")
        {
            var run = _dir.Combine("run");
            Assert.Equal(ExitCodes.Ok, (await Train(data, run)).ExitCode);
            var good = File.ReadAllBytes(Path.Combine(run, RunFolder.LastModelName));
            var bad = kind switch
            {
                "truncated" => good[..(good.Length / 2)],
                "flipped-byte" => FlipByte(good, good.Length - 100),
                _ => WithVersion(good, 99),
            };
            File.WriteAllBytes(model, bad);
        }
        else
        {
            File.WriteAllBytes(model, kind switch
            {
                "random-bytes" => RandomBytes(4096),
                "zero-bytes" => [],
                _ => File.ReadAllBytes(BadFiles.GoodPng(_dir.Combine("photo.png"), 1)),
            });
        }

        var result = await CliRun.Of("eval", "--model", model, data);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(model, line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task TrainEvalAndCheck_WorkWithUnicodeAndSpacesInPaths_AndSymbolicLinks()
    {
        var root = _dir.Combine("données d'été", "jeu 1");
        var cat = Path.Combine(root, "chat noir");
        var dog = Path.Combine(root, "狗 dog");
        for (int i = 0; i < 5; i++)
        {
            BadFiles.GoodPng(Path.Combine(cat, $"é {i}.png"), i);
            BadFiles.GoodPng(Path.Combine(dog, $"写真 {i}.png"), 10 + i);
        }
        // A linked folder of more images, and a link back up that would loop forever if followed naively.
        var extra = _dir.Combine("more dogs");
        for (int i = 0; i < 2; i++) BadFiles.GoodPng(Path.Combine(extra, $"ü {i}.png"), 20 + i);
        Directory.CreateSymbolicLink(Path.Combine(dog, "linked more"), extra);
        Directory.CreateSymbolicLink(Path.Combine(dog, "loop"), dog);
        var run = _dir.Combine("runs", "première exécution");

        var train = await CliRun.Of("train", root, "--validation-split", "0.4", "--image-size", "24", "--epochs", "1", "-o", run);
        var eval = await CliRun.Of("eval", "--model", run, root, "--format", "json");
        var check = await CliRun.Of("check", root, "--format", "json");

        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.DoesNotContain("skipped", train.Error);
        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.ToString());
        using var evalJson = JsonDocument.Parse(eval.Out);
        Assert.Equal(12, evalJson.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(["chat noir", "狗 dog"], evalJson.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.True(check.ExitCode == ExitCodes.Ok, check.ToString());
        using var checkJson = JsonDocument.Parse(check.Out);
        var classes = checkJson.RootElement.GetProperty("folders")[0].GetProperty("classes").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString(), c.GetProperty("readable").GetInt32()));
        Assert.Equal([("chat noir", 5), ("狗 dog", 7)], classes);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static byte[] FlipByte(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    private static byte[] WithVersion(byte[] bytes, int version)
    {
        var copy = (byte[])bytes.Clone();
        BitConverter.GetBytes(version).CopyTo(copy, 8); // after the 8-byte magic
        return copy;
    }
}
