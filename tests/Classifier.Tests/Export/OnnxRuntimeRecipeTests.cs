using System.Globalization;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;

namespace Classifier.Tests.Export;

/// <summary>
/// docs/export.md's ONNX Runtime snippet gives <c>classify predict</c>'s label for every image: its C# twin
/// (<see cref="OnnxRuntimeRecipe"/>) on ONNX Runtime, and the Python text itself with PyTorch standing in for
/// onnxruntime (not packaged here). Images: plain sample PNGs, the same enlarged to a non-square size (the resize
/// filter matters) and rotated JPEGs whose EXIF orientation turns them upright. Two models: the sample run (seed-cnn,
/// 28 px, nearest) and a seeded one that reads 32 px bilinear, BGR with a mean and std, and averages the mirror image's
/// logits, so every key the snippet reads changes the answer.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class OnnxRuntimeRecipeTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("sample run")]
    [InlineData("bilinear, BGR, mean/std, mirror")]
    public async Task TheDocumentedSteps_InCSharp_GivePredictsLabels(string model)
    {
        var images = Images();
        var onnx = await Export(Model(model), "model.onnx");
        var expected = await Predict(Model(model), images);

        var answers = OnnxRuntimeRecipe.Classify(onnx, images).Select(a => (a.Path, a.Label, (double)a.Confidence)).ToList();

        AssertSameAsPredict(expected, answers, 2e-4, jpegConfidenceTolerance: 2e-4);
    }

    /// <summary>
    /// The Python text itself, cut from docs/export.md and run by Debian's Python, with PyTorch in onnxruntime's place
    /// (Export/onnxruntime_stub: metadata from the .onnx file, logits from the pt export of the same network): PIL's
    /// decoding, EXIF turn and resize filter give predict's labels too.
    /// </summary>
    [PyTorchTheory]
    [InlineData("sample run")]
    [InlineData("bilinear, BGR, mean/std, mirror")]
    public async Task ThePythonSnippet_WithPyTorchStandingInForOnnxRuntime_GivesPredictsLabels(string model)
    {
        var images = Images();
        var onnx = await Export(Model(model), "model.onnx");
        await Export(Model(model), "model.pt");
        var expected = await Predict(Model(model), images);
        var doc = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!, "docs", "export.md"));
        var snippet = System.Text.RegularExpressions.Regex.Match(doc, @"(?s)With ONNX Runtime \(Python\).*?```python\n(.*?)```");
        Assert.True(snippet.Success, "docs/export.md has no ONNX Runtime (Python) snippet");
        var script = _dir.Combine("python", "classify_onnx.py");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.WriteAllText(script, snippet.Groups[1].Value);
        // Python puts the script's folder first on its path, so the snippet's `import onnxruntime` finds the stand-in.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Export", "onnxruntime_stub", "onnxruntime.py"), _dir.Combine("python", "onnxruntime.py"));

        var printed = PyTorch.Run(script, [onnx, .. images]);

        var answers = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            int colon = line.LastIndexOf(": ", StringComparison.Ordinal);
            var labelAndConfidence = line[(colon + 2)..].Split(' ');
            return (line[..colon], labelAndConfidence[0], double.Parse(labelAndConfidence[1], CultureInfo.InvariantCulture));
        }).ToList();
        // PIL decodes JPEG with libjpeg, classify with ImageSharp: a level apart in some pixels (measured: confidences up
        // to 3.2e-3 apart on these JPEGs, labels equal); PNG pixels are equal.
        AssertSameAsPredict(expected, answers, 2e-4, jpegConfidenceTolerance: 1e-2);
    }

    /// <summary>The model to export: the sample run, or a seeded one that uses every preprocessing key.</summary>
    private string Model(string which)
    {
        if (which == "sample run") return sample.Run;
        var model = _dir.Combine("seeded.cls");
        if (File.Exists(model)) return model;
        var classes = Directory.GetDirectories(SampleRunFixture.Val).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        var preprocessing = new Preprocessing(32, Interpolation.Bilinear, 1f)
        {
            ChannelOrder = ChannelOrder.Bgr,
            Mean = [60f, 70f, 80f],
            Std = [50f, 60f, 70f],
        };
        var info = new ModelInfo(NetworkRegistry.DefaultName, classes, preprocessing, 1,
            new Dictionary<string, double>(), "test", "test", DateTime.UtcNow) { TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip };
        torch.manual_seed(11);
        using var network = new SeedCnn(classes.Count, preprocessing.ImageSize);
        network.eval();
        // Freshly initialised weights answer almost uniformly; a sharper output layer spreads the labels over classes.
        using (torch.no_grad())
            foreach (var (name, parameter) in network.named_parameters())
                if (name.StartsWith("fc2", StringComparison.Ordinal)) parameter.mul_(40);
        ModelFile.Save(model, network, info);
        return model;
    }

    private async Task<string> Export(string model, string name)
    {
        var path = _dir.Combine(name);
        var export = await CliRun.Of("export", "--model", model, "-o", path);
        Assert.True(export.ExitCode == 0, export.ToString());
        return path;
    }

    private static async Task<Dictionary<string, (string Label, double Confidence)>> Predict(string model, List<string> images)
    {
        var predict = await CliRun.Of(["predict", "--model", model, "--format", "csv", .. images]);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        return predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(cells => cells[0], cells => (cells[1], double.Parse(cells[2], CultureInfo.InvariantCulture)));
    }

    private static void AssertSameAsPredict(Dictionary<string, (string Label, double Confidence)> expected,
        List<(string Path, string Label, double Confidence)> answers, double confidenceTolerance, double jpegConfidenceTolerance)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), answers.Select(a => a.Path).Order(StringComparer.Ordinal));
        var disagreements = answers.Where(a => expected[a.Path].Label != a.Label)
            .Select(a => $"{a.Path}: predict {expected[a.Path].Label}, snippet {a.Label}").ToList();
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {answers.Count} labels differ:\n" + string.Join('\n', disagreements));
        // Both print 4 decimals; predict's network may run on libtorch, the snippet's elsewhere (float round-off).
        var far = answers.Where(a => Math.Abs(a.Confidence - expected[a.Path].Confidence)
                > (a.Path.EndsWith(".jpg", StringComparison.Ordinal) ? jpegConfidenceTolerance : confidenceTolerance))
            .Select(a => $"{Path.GetFileName(a.Path)}: predict {expected[a.Path].Confidence:0.0000}, snippet {a.Confidence:0.0000}").ToList();
        Assert.True(far.Count == 0, $"{far.Count} confidences differ by more than {confidenceTolerance} ({jpegConfidenceTolerance} for JPEGs):\n" + string.Join('\n', far));
        Assert.True(answers.Select(a => a.Label).Distinct().Count() >= 3, "the check needs images given several labels");
    }

    /// <summary>
    /// Two validation images of each class as they are (28 x 28 grayscale PNG), enlarged to 61 x 47 RGB PNG, and one
    /// of each class enlarged, stored rotated a quarter turn in a JPEG whose EXIF orientation (6) turns it back.
    /// </summary>
    private List<string> Images()
    {
        var folder = _dir.Combine("images");
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var classFolder in Directory.GetDirectories(SampleRunFixture.Val).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(classFolder);
            foreach (var (file, index) in Directory.GetFiles(classFolder).Order(StringComparer.Ordinal).Take(2).Select((f, i) => (f, i)))
            {
                var plain = Path.Combine(folder, $"{name}-{index}.png");
                File.Copy(file, plain);
                using var image = Image.Load<Rgb24>(file);
                image.Mutate(c => c.Resize(61, 47, KnownResamplers.Bicubic));
                var enlarged = Path.Combine(folder, $"{name}-{index}-61x47.png");
                image.SaveAsPng(enlarged);
                paths.AddRange([plain, enlarged]);
                if (index > 0) continue;
                // Orientation 6: the stored pixels are turned a quarter turn counter-clockwise; viewers (and
                // classify) turn them clockwise to show them upright.
                image.Mutate(c => c.Rotate(RotateMode.Rotate270));
                image.Metadata.ExifProfile = new ExifProfile();
                image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
                var rotated = Path.Combine(folder, $"{name}-{index}-exif6.jpg");
                image.SaveAsJpeg(rotated, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 95 });
                paths.Add(rotated);
            }
        }
        return paths;
    }
}
