using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Core.Serving;

/// <summary>
/// An ONNX file written by <c>classify export</c>, run by ONNX Runtime without libtorch: class names, preprocessing
/// and test-time augmentation come from the file's metadata (<see cref="ExportMetadata"/>); the graph takes RGB values
/// in [0, 1] and applies the model's own scale, channel order, mean and std in its first nodes.
/// </summary>
internal sealed class OnnxFileModel : ServingModel
{
    private const float UnitScale = 1f / 255f;   // the graph's input is pixel / 255, as BatchTensors makes it

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();

    private OnnxFileModel(string path, InferenceSession session, string architecture, IReadOnlyList<string> classNames,
        Preprocessing preprocessing, TestTimeAugmentation augmentation, long maxPixels)
        : base(path, architecture, classNames, preprocessing, augmentation, maxPixels)
    {
        _session = session;
    }

    public override InferenceEngine Engine => InferenceEngine.Onnx;

    public static OnnxFileModel Open(string path, ServeModelOptions options)
    {
        if (options.Engine == InferenceEngine.Torch)
            throw new ClassifierException($"--engine torch: '{path}' is an ONNX file, which runs on ONNX Runtime; give its .cls model or --engine onnx.");
        InferenceSession session;
        using (var sessionOptions = OnnxRuntimeInference.Options(options.Threads > 0 ? options.Threads : Environment.ProcessorCount))
        {
            try
            {
                session = new InferenceSession(path, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ClassifierException($"--model '{path}': ONNX Runtime cannot read it ({e.Message}).", e);
            }
        }
        try
        {
            var meta = session.ModelMetadata.CustomMetadataMap;
            string Get(string key) => meta.TryGetValue(key, out var value)
                ? value
                : throw new ClassifierException($"--model '{path}' has no '{key}' in its metadata; give an ONNX file written by 'classify export'.");
            if (Get("format") != ExportMetadata.FormatName)
                throw new ClassifierException($"--model '{path}': metadata format '{Get("format")}' is not {ExportMetadata.FormatName}.");
            var classNames = JsonSerializer.Deserialize<string[]>(Get("class_names"))
                             ?? throw new ClassifierException($"--model '{path}': class_names is empty.");
            var preprocessing = ReadPreprocessing(Get("preprocessing"), path);
            var augmentation = options.TestTimeAugmentation
                               ?? (meta.TryGetValue("test_time_augmentation", out var tta) ? EnumValues.Parse<TestTimeAugmentation>(tta) : TestTimeAugmentation.None);
            meta.TryGetValue("architecture", out var architecture);
            return new OnnxFileModel(path, session, architecture ?? "unknown", classNames, preprocessing, augmentation, options.MaxPixels);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            session.Dispose();
            throw new ClassifierException($"--model '{path}': its metadata cannot be read ({e.Message}).", e);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The preprocessing JSON of <see cref="ExportMetadata.PreprocessingJson"/> as the record the decoder takes.</summary>
    private static Preprocessing ReadPreprocessing(string json, string path)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        float[] Floats(string key) => [.. node[key]!.AsArray().Select(v => v!.GetValue<float>())];
        int size = node["image_size"]!.GetValue<int>();
        if (size < 1 || size > 4096) throw new ClassifierException($"--model '{path}': image_size {size} is out of range.");
        return new Preprocessing(size, EnumValues.Parse<Interpolation>(node["interpolation"]!.GetValue<string>()), node["scale"]!.GetValue<float>())
        {
            ChannelOrder = node["channel_order"]!.GetValue<string>() == "BGR" ? ChannelOrder.Bgr : ChannelOrder.Rgb,
            Mean = Floats("mean"),
            Std = Floats("std"),
        };
    }

    public override float[] Probabilities(ReadOnlySpan<byte> pixels, int count)
    {
        int side = Preprocessing.ImageSize, plane = side * side, classes = ClassNames.Count;
        bool flip = TestTimeAugmentation == TestTimeAugmentation.HorizontalFlip;
        int views = flip ? 2 : 1;
        // [views x N, 3, H, W]: the images, then (with the flip) their mirror images, as InferenceNetwork.Logits does.
        var input = new float[views * count * 3 * plane];
        for (int n = 0; n < count; n++)
        {
            var image = pixels.Slice(n * plane * 3, plane * 3);   // [H, W, 3] uint8
            for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            for (int c = 0; c < 3; c++)
            {
                float value = image[(y * side + x) * 3 + c] * UnitScale;
                input[((n * 3) + c) * plane + y * side + x] = value;
                if (flip) input[(((count + n) * 3) + c) * plane + y * side + (side - 1 - x)] = value;
            }
        }
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [views * count, 3, side, side]);
        using var outputs = _session.Run(_run, [OnnxExport.InputName], [inputValue], [OnnxExport.LogitsName]);
        var logits = outputs[0].GetTensorDataAsSpan<float>();   // [views x N, classes]
        var probabilities = new float[count * classes];
        var row = new float[classes];
        for (int n = 0; n < count; n++)
        {
            for (int c = 0; c < classes; c++)
                row[c] = flip ? (logits[n * classes + c] + logits[(count + n) * classes + c]) / 2f : logits[n * classes + c];
            float max = float.NegativeInfinity;
            foreach (var l in row) max = Math.Max(max, l);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(row[c] - max);
            for (int c = 0; c < classes; c++) probabilities[n * classes + c] = (float)(Math.Exp(row[c] - max) / sum);
        }
        return probabilities;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _session.Dispose();
        _run.Dispose();
    }
}
