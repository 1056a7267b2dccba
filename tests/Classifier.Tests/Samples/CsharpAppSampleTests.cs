using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Classifier.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Samples;

/// <summary>
/// samples/csharp-app, copied out of the repository as a developer would copy it, built with <c>dotnet build</c>
/// and run on an exported model.onnx: its top-k (labels and confidences) must be classify predict's on the same
/// images, for a nearest-resize model and for a bilinear model with test-time flips, on images of other sizes,
/// greyscale, with alpha and JPEG.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class CsharpAppSampleTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    private static string SampleFolder => Path.Combine(SampleData.FashionMini, "..", "csharp-app");

    [Fact]
    public async Task Sample_BuiltOutsideTheRepository_PrintsPredictsTopK_ForNearestAndBilinearModels()
    {
        var app = await Build();
        var images = Images();
        // The bundled sample's model (28 px, nearest) and a bilinear 32 px model trained with test-time flips.
        var bilinearRun = _dir.Combine("bilinear-run");
        var data = TestImages.StripesDataset(_dir.Combine("stripes"), classes: 3, perClass: 4, size: 40);
        var train = await CliRun.Of("train", data, "--image-size", "32", "--interpolation", "bilinear", "--tta", "horizontal_flip",
            "--epochs", "1", "--batch-size", "4", "-o", bilinearRun);
        Assert.True(train.ExitCode == 0, train.ToString());

        foreach (var run in new[] { sample.Run, bilinearRun })
        {
            var onnx = _dir.Combine(Path.GetFileName(run) + ".onnx");
            var export = await CliRun.Of("export", "--model", run, "-o", onnx);
            Assert.True(export.ExitCode == 0, export.ToString());
            var predict = await CliRun.Of(["predict", "--model", run, .. images, "--top-k", "3", "--format", "csv", "--engine", "onnx"]);
            Assert.True(predict.ExitCode == 0, predict.ToString());
            var expected = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(l => l.Split(',')).ToDictionary(c => c[0], c => c[1..7]);

            var (code, output) = Run("dotnet", [app, onnx, .. images, "--top-k", "3"]);

            Assert.True(code == 0, output);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(images.Length, lines.Length);
            foreach (var line in lines)
            {
                var cells = line.Split("  ");
                var want = expected[cells[^1]];
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(want[2 * j], cells[2 * j]);
                    // Predict prints four decimals and so does the sample; allow one unit for rounding at the edge.
                    Assert.True(Math.Abs(double.Parse(want[2 * j + 1], CultureInfo.InvariantCulture) - double.Parse(cells[2 * j + 1], CultureInfo.InvariantCulture)) <= 1.01e-4,
                        $"{cells[^1]}: sample says {line}, predict {string.Join(',', want)}");
                }
            }
        }
    }

    [Fact]
    public void SamplesPackageVersions_AreClassifysOwn()
    {
        var central = XDocument.Load(Path.Combine(SampleData.FashionMini, "..", "..", "Directory.Packages.props"))
            .Descendants("PackageVersion").ToDictionary(e => e.Attribute("Include")!.Value, e => e.Attribute("Version")!.Value);
        var references = XDocument.Load(Path.Combine(SampleFolder, "CsharpApp.csproj")).Descendants("PackageReference").ToList();

        Assert.NotEmpty(references);
        foreach (var reference in references)
            Assert.Equal(central[reference.Attribute("Include")!.Value], reference.Attribute("Version")!.Value);
    }

    /// <summary>Copies the sample out of the repository (so nothing of the repository's build applies) and builds it.</summary>
    private async Task<string> Build()
    {
        var source = _dir.Combine("csharp-app");
        Directory.CreateDirectory(source);
        foreach (var file in Directory.GetFiles(SampleFolder).Where(f => Path.GetExtension(f) is ".cs" or ".csproj" or ".props" or ".md"))
            File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        var output = _dir.Combine("app");
        var (code, log) = await Task.Run(() => Run("dotnet", ["build", source, "-o", output, "--nologo", "-v", "q"]));
        Assert.True(code == 0, log);
        return Path.Combine(output, "classify-sample.dll");
    }

    /// <summary>Test images unlike the training data: other sizes (so both resize filters run), grey, alpha, JPEG.</summary>
    private string[] Images()
    {
        var folder = _dir.Combine("images");
        var random = new Random(5);
        return
        [
            TestImages.Write(Path.Combine(folder, "wide.png"), 53, 31, (x, y) => new Rgb24((byte)(x * 4), (byte)(y * 7), (byte)random.Next(256))),
            TestImages.Write(Path.Combine(folder, "grey.png"), 20, 45, (x, y) => new L8((byte)((x * y) % 256))),
            TestImages.Write(Path.Combine(folder, "alpha.png"), 40, 40, (x, y) => new Rgba32((byte)(x * 6), 90, (byte)(y * 6), (byte)(x * 5))),
            TestImages.Write(Path.Combine(folder, "photo.jpg"), 64, 48, (x, y) => new Rgb24((byte)(x * 3), (byte)(255 - y * 4), (byte)((x + y) * 2))),
            Path.GetFullPath(Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Sneaker"), "*.png").OrderBy(f => f, StringComparer.Ordinal).First()),
        ];
    }

    private static (int Code, string Output) Run(string program, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    public void Dispose() => _dir.Dispose();
}
