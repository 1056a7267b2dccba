using System.Text.Json;
using Classifier.Core.Export;
using Classifier.Tests.Export;
using Classifier.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Classifier.Tests.Cli;

/// <summary>
/// The export path as a user walks it: <c>classify train --model NAME</c> on a tiny folder, <c>classify export</c> to pt,
/// safetensors and onnx, then the real clients. PyTorch builds <c>torchvision.models.NAME(num_classes=K)</c> itself, loads
/// each state dict strictly and decodes the PNGs with PIL; ONNX Runtime runs the onnx file on the decoded pixels. Every
/// client's probabilities agree with <c>classify predict</c>'s within 1e-4.
/// </summary>
public sealed class ExportCliTests(ITestOutputHelper output) : IDisposable
{
    private const int Side = 32;   // the smallest side the ResNets and MobileNets take; the PNGs are written at it
    private const int Classes = 3;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [PyTorchTheory]
    [InlineData("resnet18")]
    [InlineData("mobilenet_v3_small")]
    public async Task ExportedTorchVisionModel_LoadsInPyTorchAndOnnxRuntime_AndGivesPredictsProbabilities(string architecture)
    {
        var data = ColourDataset(_dir.Combine("data"));
        var run = _dir.Combine("run");
        await Classify("train", data, "--model", architecture, "--image-size", $"{Side}", "--epochs", "1", "--batch-size", "4", "-o", run);
        foreach (var format in new[] { "pt", "safetensors", "onnx" })
            await Classify("export", "-m", run, "--format", format, "-o", _dir.Combine($"model.{format}"));
        var images = Directory.GetFiles(data, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var predicted = PredictedProbabilities(await Classify(["predict", "--model", run, .. images, "--format", "json", "--top-k", $"{Classes}"]));

        var python = JsonDocument.Parse(PyTorch.Run(Path.Combine(AppContext.BaseDirectory, "Export", "pytorch_cli_check.py"),
            [architecture, _dir.Combine("model.pt"), _dir.Combine("model.safetensors"), .. images])).RootElement;
        var classNames = python.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var expected = images.Select(path => classNames.Select(c => predicted[path][c]).ToArray()).ToArray();

        var clients = new Dictionary<string, float[][]>
        {
            ["PyTorch, pt"] = Rows(python.GetProperty("pt")),
            ["PyTorch, safetensors"] = Rows(python.GetProperty("safetensors")),
            ["ONNX Runtime"] = OnnxProbabilities(_dir.Combine("model.onnx"), images),
        };
        var diffs = clients.ToDictionary(c => c.Key,
            c => expected.Zip(c.Value, (e, p) => e.Zip(p, (a, b) => Math.Abs((double)a - b)).Max()).Max());
        foreach (var (client, diff) in diffs)
            output.WriteLine($"{architecture}, {client}: max |probability - predict's| {diff:E2}");
        foreach (var (client, diff) in diffs)
            Assert.True(diff <= 1e-4, $"{architecture}: {client}'s probabilities differ from classify predict's by {diff:E2}");
    }

    private static async Task<CliRun> Classify(params string[] args)
    {
        var result = await CliRun.Of(args);
        Assert.True(result.ExitCode == 0, $"classify {args[0]}: {result}");
        return result;
    }

    /// <summary>Three classes of 5 colourful PNGs each: a different dominant channel per class, seeded noise in all three.</summary>
    private static string ColourDataset(string root)
    {
        var random = new Random(7);
        for (int c = 0; c < Classes; c++)
            for (int i = 0; i < 5; i++)
            {
                var noise = new byte[Side * Side * 3];
                random.NextBytes(noise);
                TestImages.Write(Path.Combine(root, $"class_{(char)('a' + c)}", $"{i}.png"), Side, Side, (x, y) =>
                {
                    int at = (y * Side + x) * 3;
                    byte Channel(int k) => (byte)((k == c ? 140 : 20) + noise[at + k] % 110);
                    return new Rgb24(Channel(0), Channel(1), Channel(2));
                });
            }
        return root;
    }

    /// <summary>predict's JSON Lines: path -> class name -> probability.</summary>
    private static Dictionary<string, Dictionary<string, float>> PredictedProbabilities(CliRun predict) =>
        predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(
                row => row.GetProperty("path").GetString()!,
                row => row.GetProperty("top_k").EnumerateArray()
                    .ToDictionary(t => t.GetProperty("label").GetString()!, t => t.GetProperty("confidence").GetSingle()));

    private static float[][] Rows(JsonElement rows) =>
        [.. rows.EnumerateArray().Select(row => row.EnumerateArray().Select(p => p.GetSingle()).ToArray())];

    /// <summary>The onnx file's probabilities for the images decoded to RGB in [0, 1], NCHW, the input every export takes.</summary>
    private static float[][] OnnxProbabilities(string model, string[] images)
    {
        var input = new float[images.Length * 3 * Side * Side];
        for (int n = 0; n < images.Length; n++)
        {
            using var image = Image.Load<Rgb24>(images[n]);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                {
                    var pixel = image[x, y];
                    int at = n * 3 * Side * Side + y * Side + x;
                    input[at] = pixel.R / 255f;
                    input[at + Side * Side] = pixel.G / 255f;
                    input[at + 2 * Side * Side] = pixel.B / 255f;
                }
        }
        using var session = new InferenceSession(model, new SessionOptions { IntraOpNumThreads = 1 });
        using var value = OrtValue.CreateTensorValueFromMemory(input, [images.Length, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExport.InputName], [value], [OnnxExport.ProbabilitiesName]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return [.. probabilities.Chunk(probabilities.Length / images.Length)];
    }
}
