using System.Globalization;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;

namespace Classifier.Tests.Export;

/// <summary>
/// docs/export.md's ONNX Runtime snippet, run as its C# twin (<see cref="OnnxRuntimeRecipe"/>: onnxruntime for Python
/// is not packaged here), gives <c>classify predict</c>'s label for every image: plain sample PNGs, the same images
/// enlarged to a non-square size (the resize filter matters) and rotated JPEGs whose EXIF orientation turns them
/// upright. Two models: the sample run (seed-cnn, 28 px, nearest) and a seeded one that reads 32 px bilinear, BGR with
/// a mean and std, and averages the mirror image's logits, so every key the snippet reads changes the answer.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class OnnxRuntimeRecipeTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TheDocumentedSteps_OnTheSampleRunsExport_GivePredictsLabels() =>
        await AssertRecipeAgreesWithPredict(sample.Run);

    [Fact]
    public async Task TheDocumentedSteps_WithBilinearBgrMeanStdAndMirrorAveraging_GivePredictsLabels()
    {
        var classes = Directory.GetDirectories(SampleRunFixture.Val).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var preprocessing = new Preprocessing(32, Interpolation.Bilinear, 1f)
        {
            ChannelOrder = ChannelOrder.Bgr,
            Mean = [60f, 70f, 80f],
            Std = [50f, 60f, 70f],
        };
        var info = new ModelInfo(ModelInfo.KerasRecipeCnnArchitecture, classes!, preprocessing, 1,
            new Dictionary<string, double>(), "test", "test", DateTime.UtcNow) { TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip };
        var model = _dir.Combine("seeded.cls");
        torch.manual_seed(11);
        using (var network = new KerasRecipeCnn(classes.Count, preprocessing.ImageSize))
        {
            network.eval();
            // Freshly initialised weights answer almost uniformly; a sharper output layer spreads the labels over classes.
            using (torch.no_grad())
                foreach (var (name, parameter) in network.named_parameters())
                    if (name.StartsWith("fc2", StringComparison.Ordinal)) parameter.mul_(40);
            ModelFile.Save(model, network, info);
        }

        await AssertRecipeAgreesWithPredict(model);
    }

    private async Task AssertRecipeAgreesWithPredict(string model)
    {
        var images = Images();
        var onnx = _dir.Combine("model.onnx");
        var export = await CliRun.Of("export", "--model", model, "-o", onnx);
        Assert.True(export.ExitCode == 0, export.ToString());
        var predict = await CliRun.Of(["predict", "--model", model, "--format", "csv", .. images]);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var expected = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(cells => cells[0], cells => (Label: cells[1], Confidence: double.Parse(cells[2], CultureInfo.InvariantCulture)));

        var answers = OnnxRuntimeRecipe.Classify(onnx, images);

        Assert.Equal(images.Count, answers.Count);
        var disagreements = answers.Where(a => expected[a.Path].Label != a.Label)
            .Select(a => $"{a.Path}: predict {expected[a.Path].Label}, snippet {a.Label}").ToList();
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {images.Count} labels differ:\n" + string.Join('\n', disagreements));
        // predict prints 4 decimals; its network may run on libtorch, the snippet's on ONNX Runtime (float round-off).
        Assert.All(answers, a => Assert.InRange(a.Confidence - expected[a.Path].Confidence, -2e-4, 2e-4));
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
