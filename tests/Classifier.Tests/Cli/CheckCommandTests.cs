using System.Text.Json;
using Classifier.Cli;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Cli;

public sealed class CheckCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(string Severity, string Kind, string Message, string[] Paths)> Findings(JsonElement root) =>
        root.GetProperty("findings").EnumerateArray().Select(f => (
            f.GetProperty("severity").GetString()!, f.GetProperty("kind").GetString()!, f.GetProperty("message").GetString()!,
            f.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToArray())).ToList();

    [Fact]
    public async Task Check_OnAFolderOfBadFiles_ReportsEachWithItsReason_AndExitsFour()
    {
        var data = new BadDataset(_dir.Combine("data"));
        var before = Directory.GetFiles(data.Root, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => File.ReadAllBytes(p));

        var result = await CliRun.Of("check", data.Root, "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.ProblemsFound, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        var findings = Findings(root);
        foreach (var (path, word) in data.Unreadable)
        {
            var finding = Assert.Single(findings, f => f.Paths.SequenceEqual([path]));
            Assert.Equal("error", finding.Severity);
            Assert.Contains(word, finding.Message);
        }
        Assert.Equal("empty-file", findings.Single(f => f.Paths[0].EndsWith("zero-bytes.png")).Kind);
        Assert.Equal("too-large", findings.Single(f => f.Paths[0].EndsWith("bomb.png")).Kind);
        Assert.Equal("unsupported-format", findings.Single(f => f.Paths[0].EndsWith("portable-pixmap.bmp")).Kind);
        Assert.Equal("corrupt", findings.Single(f => f.Paths[0].EndsWith("bad-crc.png")).Kind);

        Assert.Contains(findings, f => f is { Severity: "warning", Kind: "tiny" } && f.Paths[0] == data.Tiny && f.Message.Contains("4x4"));
        Assert.Contains(findings, f => f is { Severity: "warning", Kind: "extension-mismatch" } && f.Paths[0] == data.Mismatch && f.Message.Contains("PNG"));
        Assert.Contains(findings, f => f is { Severity: "warning", Kind: "duplicate" } && f.Paths.Contains(data.DuplicateInClass));
        Assert.Contains(findings, f => f is { Severity: "error", Kind: "label-conflict" } && f.Paths.Contains(data.LabelConflict)
                                       && f.Message.Contains("'cat' and 'dog'"));
        Assert.Contains(findings, f => f is { Severity: "error", Kind: "leakage" } && f.Paths.Contains(data.Leak));
        Assert.Contains(findings, f => f is { Severity: "warning", Kind: "empty-class" } && f.Paths[0] == data.EmptyClass);
        Assert.Equal(findings.Count(f => f.Severity == "error"), root.GetProperty("errors").GetInt32());
        Assert.False(root.GetProperty("clean").GetBoolean());

        var train = root.GetProperty("folders")[0];
        Assert.Equal("train", train.GetProperty("name").GetString());
        var ignored = train.GetProperty("ignored").EnumerateArray()
            .ToDictionary(i => Path.GetFileName(i.GetProperty("path").GetString()!), i => i.GetProperty("reason").GetString());
        Assert.Equal(3, ignored.Count);
        Assert.Equal("hidden", ignored[".DS_Store"]);
        Assert.Equal("not an image file name (extension)", ignored["Thumbs.db"]);
        Assert.Equal("not inside a class folder", ignored["README.txt"]);
        var cat = train.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cat");
        Assert.Equal(11, cat.GetProperty("files").GetInt32()); // 6 good, a copy, tiny, and 3 unreadable
        Assert.Equal(8, cat.GetProperty("readable").GetInt32());
        // Readable PNGs: 8 in cat, 8 in dog (one named .jpg), 13 in val.
        Assert.Equal(8 + 8 + 13, root.GetProperty("colour_modes").GetProperty("PNG RGB 8-bit").GetInt32());

        // Non-destructive: every file is byte for byte as it was, and nothing was added.
        var after = Directory.GetFiles(data.Root, "*", SearchOption.AllDirectories);
        Assert.Equal(before.Keys.Order(), after.Order());
        foreach (var path in after) Assert.Equal(before[path], File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Check_AsATable_NamesEachBadFileAndTheVerdict()
    {
        var data = new BadDataset(_dir.Combine("data"));

        var result = await CliRun.Of("check", data.Root);

        Assert.Equal(ExitCodes.ProblemsFound, result.ExitCode);
        foreach (var path in data.Unreadable.Keys)
            Assert.Contains(Path.GetFileName(path), result.Out);
        Assert.Contains("Errors (", result.Out);
        Assert.Contains("Warnings (", result.Out);
        Assert.Contains("Ignored by training", result.Out);
        Assert.Contains("FAILED:", result.Out);
        Assert.Matches(@"cat\s+8/11 ok\s+7", result.Out);
    }

    [Fact]
    public async Task Check_OnACleanFolder_ExitsZero_ListingColourModesAndOrientations()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 4, size: 24);

        var result = await CliRun.Of("check", data);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("OK: no errors, 0 warning(s).", result.Out);
        Assert.Contains("Colour modes: PNG RGB 8-bit 12", result.Out);
        Assert.Contains("EXIF orientation (applied when reading): none 12", result.Out);
    }

    [Fact]
    public async Task Check_CountsTheColourModesAndExifOrientationsMet()
    {
        var data = _dir.Combine("data");
        CmykJpeg.Write(Path.Combine(data, "a", "cmyk.jpg"), 0, 255, 255, 255);
        Directory.CreateDirectory(Path.Combine(data, "b"));
        using (var deep = new Image<Rgb48>(20, 20, new Rgb48(1000, 2000, 3000)))
            deep.Save(Path.Combine(data, "a", "deep.png"), new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        using (var palette = new Image<Rgb24>(20, 20, new Rgb24(0, 128, 255)))
            palette.Save(Path.Combine(data, "b", "palette.png"), new PngEncoder { ColorType = PngColorType.Palette });
        using (var rotated = new Image<Rgb24>(20, 20, new Rgb24(9, 9, 9)))
        {
            rotated.Metadata.ExifProfile = new ExifProfile();
            rotated.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            rotated.Save(Path.Combine(data, "b", "phone.jpg"), new JpegEncoder());
        }

        var result = await CliRun.Of("check", data, "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var modes = json.RootElement.GetProperty("colour_modes").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["JPEG CMYK", "JPEG YCbCr", "PNG RGB 16-bit", "PNG palette 8-bit"], modes);
        var orientations = json.RootElement.GetProperty("exif_orientations");
        Assert.Equal(1, orientations.GetProperty("6 (rotated 90 clockwise)").GetInt32());
        Assert.Equal(3, orientations.GetProperty("none").GetInt32());
    }

    [Fact]
    public async Task Check_WithASeparateValidationFolder_FindsLeakageAcrossThem()
    {
        var train = TestImages.StripesDataset(_dir.Combine("train"), classes: 2, perClass: 3, size: 24, seed: 1);
        var val = TestImages.StripesDataset(_dir.Combine("val"), classes: 2, perClass: 3, size: 24, seed: 2);
        BadFiles.Copy(Path.Combine(train, "class_b", "001.png"), Path.Combine(val, "class_b", "copy.png"));

        var result = await CliRun.Of("check", train, "--val", val, "--format", "json");

        Assert.Equal(ExitCodes.ProblemsFound, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var leak = Assert.Single(Findings(json.RootElement));
        Assert.Equal("leakage", leak.Kind);
        Assert.Contains("train (class_b) and val (class_b)", leak.Message);
    }

    [Fact]
    public async Task Check_WarnsAboutImbalance_WithoutFailing()
    {
        var data = _dir.Combine("data");
        for (int i = 0; i < 10; i++) BadFiles.GoodPng(Path.Combine(data, "many", $"{i}.png"), i);
        BadFiles.GoodPng(Path.Combine(data, "few", "0.png"), 100);

        var result = await CliRun.Of("check", data);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("imbalance:", result.Out);
        Assert.Contains("'many' has 10 readable images, 'few' 1 (10.0x", result.Out);
        // It names the option that answers it.
        Assert.Contains("train with --class-weight balanced", result.Out);
    }

    [Fact]
    public async Task Check_OfAMissingFolder_ExitsTwoNamingIt()
    {
        var missing = _dir.Combine("nowhere");
        var result = await CliRun.Of("check", missing);
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains($"'{missing}' does not exist", result.Error);
    }
}
