using System.Globalization;
using System.Text.RegularExpressions;
using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The zoo's table of torchvision weights against torchvision's own sources (Debian's python3-torchvision): for every
/// zoo network with torchvision weights, every entry of its <c>*_Weights</c> enum, with its URL, accuracies, transform
/// and DEFAULT.
/// </summary>
public sealed partial class TorchVisionWeightsTableTests
{
    internal const string SourceFolder = "/usr/lib/python3/dist-packages/torchvision/models";

    [TorchVisionSourcesFact]
    public void Table_MatchesTorchVisionsSources()
    {
        var enums = Directory.EnumerateFiles(SourceFolder, "*.py")
            .Select(File.ReadAllText)
            .SelectMany(source => WeightsEnum().Matches(source).Select(m => (Class: m.Groups[1].Value, Source: source)))
            .ToList();
        foreach (var spec in NetworkRegistry.All.Where(s => s.TorchVisionWeights.Count > 0))
        {
            // torchvision names a network's weights enum after it: resnet18, ResNet18_Weights; mobilenet_v3_small, MobileNet_V3_Small_Weights.
            var (enumClass, source) = Assert.Single(enums, e => Normalise(e.Class) == Normalise(spec.Name + "_weights"));
            var expected = Parse(source, spec.Name, enumClass);
            var actual = spec.TorchVisionWeights.OrderBy(w => w.Name, StringComparer.Ordinal).ToList();

            Assert.True(expected.Count > 0, $"{enumClass} has no entries");
            Assert.Equal(expected, actual);
        }
    }

    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    [Fact]
    public void Parser_ReadsAWeightsEnum()
    {
        const string source = """
            class Net_Weights(WeightsEnum):
                IMAGENET1K_V1 = Weights(
                    url="https://download.pytorch.org/models/net-01234567.pth",
                    transforms=partial(ImageClassification, crop_size=224),
                    meta={
                        "_metrics": {
                            "ImageNet-1K": {
                                "acc@1": 70.5,
                                "acc@5": 90.25,
                            }
                        },
                    },
                )
                IMAGENET1K_V2 = Weights(
                    url="https://download.pytorch.org/models/net-89abcdef.pth",
                    transforms=partial(ImageClassification, crop_size=224, resize_size=232),
                    meta={ "_metrics": { "ImageNet-1K": { "acc@1": 80.0, "acc@5": 95.0 } } },
                )
                DEFAULT = IMAGENET1K_V2


            class Other_Weights(WeightsEnum):
                IMAGENET1K_V1 = Weights(url="https://x/other-00000000.pth", transforms=partial(ImageClassification, crop_size=224))
            """;

        var parsed = Parse(source, "net", "Net_Weights");

        Assert.Equal(
        [
            TorchVisionWeights.ImageNet("net", 1, "https://download.pytorch.org/models/net-01234567.pth", 70.5, 90.25),
            TorchVisionWeights.ImageNet("net", 2, "https://download.pytorch.org/models/net-89abcdef.pth", 80.0, 95.0, resizeSize: 232, isDefault: true),
        ], parsed);
    }

    /// <summary>The entries of <c>class <paramref name="enumClass"/>(WeightsEnum)</c>, sorted by name.</summary>
    private static List<TorchVisionWeights> Parse(string source, string network, string enumClass)
    {
        int start = source.IndexOf($"class {enumClass}(WeightsEnum):", StringComparison.Ordinal);
        if (start < 0) return [];
        int end = source.IndexOf("\nclass ", start + 1, StringComparison.Ordinal);
        string body = end < 0 ? source[start..] : source[start..end];
        string defaultName = DefaultLine().Match(body).Groups[1].Value;
        var result = new List<TorchVisionWeights>();
        var entries = EntryStart().Matches(body);
        for (int i = 0; i < entries.Count; i++)
        {
            var m = entries[i];
            string entry = body[m.Index..(i + 1 < entries.Count ? entries[i + 1].Index : body.Length)];
            string name = m.Groups[1].Value;
            var transform = Transform().Match(entry);
            Assert.True(transform.Success, $"{enumClass}.{name}: no ImageClassification transform");
            string arguments = transform.Groups[1].Value;
            Assert.DoesNotContain("interpolation", arguments);
            Assert.DoesNotContain("mean", arguments);
            int crop = int.Parse(Argument(arguments, "crop_size") ?? "0", CultureInfo.InvariantCulture);
            int resize = int.Parse(Argument(arguments, "resize_size") ?? TorchVisionWeights.DefaultResizeSize.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            result.Add(new TorchVisionWeights(network, name.ToLowerInvariant().Replace('_', '-'), Url().Match(entry).Groups[1].Value,
                Accuracy(entry, "acc@1"), Accuracy(entry, "acc@5"), resize, crop, Interpolation.Bilinear, name == defaultName));
        }
        return [.. result.OrderBy(w => w.Name, StringComparer.Ordinal)];
    }

    private static string? Argument(string arguments, string name) =>
        Regex.Match(arguments, $@"\b{name}=(\d+)") is { Success: true } m ? m.Groups[1].Value : null;

    private static double Accuracy(string entry, string key) =>
        double.Parse(Regex.Match(entry, $"\"{Regex.Escape(key)}\":\\s*([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^class (\w+)\(WeightsEnum\):", RegexOptions.Multiline)]
    private static partial Regex WeightsEnum();

    [GeneratedRegex(@"^\s+DEFAULT = (\w+)", RegexOptions.Multiline)]
    private static partial Regex DefaultLine();

    [GeneratedRegex(@"^\s+(IMAGENET1K_V\d+) = Weights\(", RegexOptions.Multiline)]
    private static partial Regex EntryStart();

    [GeneratedRegex(@"transforms=partial\(ImageClassification,([^)]*)\)")]
    private static partial Regex Transform();

    [GeneratedRegex("url=\"([^\"]+)\"")]
    private static partial Regex Url();
}

/// <summary>A fact that runs only where Debian's python3-torchvision is installed, and otherwise says so.</summary>
public sealed class TorchVisionSourcesFactAttribute : FactAttribute
{
    public TorchVisionSourcesFactAttribute()
    {
        if (!Directory.Exists(TorchVisionWeightsTableTests.SourceFolder))
            Skip = $"Compares the weights table with torchvision's sources, but {TorchVisionWeightsTableTests.SourceFolder} does not exist. Install python3-torchvision (apt-get) to run it.";
    }
}
