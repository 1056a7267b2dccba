using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace Classifier.Tests.Export;

public sealed class OnnxExportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public OnnxExportTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OnnxRuntime_OnTheSameImages_MatchesTorchSharpProbabilitiesTo1e4_ForAnyBatchSize()
    {
        // A few real sample images, a seeded network, the model's own decoder.
        var images = Directory.GetDirectories(Path.Combine(SampleData.FashionMini, "val"))
            .SelectMany(d => Directory.GetFiles(d).Order(StringComparer.Ordinal).Take(1)).Take(5).ToArray();
        var info = new ModelInfo(NetworkRegistry.DefaultName, ["a", "b", "c", "d"],
            new Preprocessing(28, Interpolation.Nearest, 1f / 255), 1, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);
        var decoder = new ImageDecoder(info.Preprocessing);
        var pixels = new byte[images.Length * info.Preprocessing.PixelBytes];
        for (int i = 0; i < images.Length; i++)
            Assert.True(decoder.TryDecode(images[i], pixels.AsSpan(i * info.Preprocessing.PixelBytes, info.Preprocessing.PixelBytes), out _));

        torch.manual_seed(5);
        var modelFile = _dir.Combine("model.cls");
        float[] input;
        float[] expected;
        using (var network = new SeedCnn(info.ClassNames.Count, 28))
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            network.eval();
            // Freshly initialised weights give almost uniform probabilities; sharpening the output layer makes
            // them differ by class, so that a wrong graph cannot pass by producing 1/classes everywhere.
            foreach (var (name, parameter) in network.named_parameters())
                if (name.StartsWith("fc2", StringComparison.Ordinal)) parameter.mul_(40);
            // The predict path: uint8 NHWC -> float NCHW times the scale.
            var x = torch.tensor(pixels, [images.Length, 28, 28, 3]).permute(0, 3, 1, 2).to_type(torch.ScalarType.Float32).mul(info.Preprocessing.Scale).contiguous();
            input = x.data<float>().ToArray();
            expected = torch.nn.functional.softmax(network.forward(x), 1).data<float>().ToArray();
            ModelFile.Save(modelFile, network, info);
        }
        Assert.True(expected.Max() - expected.Min() > 0.05, "the check needs probabilities that differ between classes");

        var onnx = ModelExport.Run(modelFile, ExportFormat.Onnx, _dir.Combine("model.onnx"));
        using var session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = 1 });

        var all = Run(session, input, images.Length);
        Assert.Equal(expected.Length, all.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - all[i]) <= 1e-4, $"probability {i}: TorchSharp {expected[i]}, ONNX Runtime {all[i]}");

        // The batch dimension is dynamic: one image alone gives that image's row.
        int perImage = 3 * 28 * 28;
        var single = Run(session, input[(2 * perImage)..(3 * perImage)], 1);
        for (int c = 0; c < info.ClassNames.Count; c++)
            Assert.True(Math.Abs(expected[2 * info.ClassNames.Count + c] - single[c]) <= 1e-4);
    }

    [Fact]
    public void OnnxModel_DeclaresADynamicBatch_AndCarriesClassNamesAndPreprocessing()
    {
        using var export = new ExportTests(); // owns the folder the model is saved in
        var modelFile = export.SavedModel().ModelFile;
        var onnx = ModelExport.Run(modelFile, ExportFormat.Onnx, _dir.Combine("model.onnx"));
        using var session = new InferenceSession(onnx);

        Assert.Equal([-1, 3, 28, 28], session.InputMetadata[OnnxExport.InputName].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata[OnnxExport.ProbabilitiesName].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata[OnnxExport.LogitsName].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(["c0", "c1", "c2"], JsonSerializer.Deserialize<string[]>(metadata["class_names"])!);
        using var preprocessing = JsonDocument.Parse(metadata["preprocessing"]);
        Assert.Equal(28, preprocessing.RootElement.GetProperty("image_size").GetInt32());
        Assert.Equal("RGB", preprocessing.RootElement.GetProperty("color").GetString());
        Assert.Equal("classify", session.ModelMetadata.ProducerName);
    }

    private static float[] Run(InferenceSession session, float[] input, int batch)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, 3, 28, 28]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExport.InputName], [value], [OnnxExport.ProbabilitiesName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
