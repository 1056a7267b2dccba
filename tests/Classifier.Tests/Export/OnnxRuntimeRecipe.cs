using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Classifier.Tests.Export;

/// <summary>
/// The C# twin of docs/export.md's ONNX Runtime snippet (Python): the same steps in the same order, each commented
/// with the Python line it stands for. ImageSharp plays PIL's part in decoding (open, EXIF orientation, RGB); the
/// resizing is written out as in the snippet. Keep the two texts equal in meaning.
/// </summary>
public static class OnnxRuntimeRecipe
{
    /// <summary>One image's answer: the label and its probability.</summary>
    public sealed record Answer(string Path, string Label, float Confidence);

    /// <summary>Classifies <paramref name="paths"/> with the exported <paramref name="onnxFile"/>, as the snippet does.</summary>
    public static List<Answer> Classify(string onnxFile, IReadOnlyList<string> paths)
    {
        // session = onnxruntime.InferenceSession("model.onnx")
        using var session = new InferenceSession(onnxFile);
        // meta = session.get_modelmeta().custom_metadata_map
        var meta = session.ModelMetadata.CustomMetadataMap;
        // classes, prep = json.loads(meta["class_names"]), json.loads(meta["preprocessing"])
        var classes = JsonSerializer.Deserialize<string[]>(meta["class_names"])!;
        var prep = JsonDocument.Parse(meta["preprocessing"]).RootElement;
        // size, interpolation = prep["image_size"], prep["interpolation"]
        int size = prep.GetProperty("image_size").GetInt32();
        var interpolation = prep.GetProperty("interpolation").GetString();
        // if interpolation not in ("nearest", "bilinear"): raise NotImplementedError(...)
        if (interpolation is not ("nearest" or "bilinear")) throw new NotImplementedException($"interpolation {interpolation}");
        // resize = prep.get("resize", "squash"); if resize != "squash": raise NotImplementedError(...)
        var resize = prep.TryGetProperty("resize", out var mode) ? mode.GetString() : "squash";
        if (resize != "squash") throw new NotImplementedException($"resize {resize}: only squash is written out here");

        // batch = np.stack([load(p) for p in paths])
        int pixels = 3 * size * size;
        var batch = new DenseTensor<float>([paths.Count, 3, size, size]);
        for (int i = 0; i < paths.Count; i++)
            Load(paths[i], size, interpolation!).CopyTo(batch.Buffer.Span.Slice(i * pixels, pixels));
        // logits = session.run(["logits"], {"input": batch})[0]
        var logits = Logits(session, batch);
        // if meta["test_time_augmentation"] == "horizontal_flip":
        //     logits = (logits + session.run(["logits"], {"input": np.ascontiguousarray(batch[..., ::-1])})[0]) / 2
        if (meta["test_time_augmentation"] == "horizontal_flip")
        {
            var mirrored = Logits(session, Mirror(batch, paths.Count, size));
            for (int j = 0; j < logits.Length; j++) logits[j] = (logits[j] + mirrored[j]) / 2;
        }

        // probabilities = np.exp(logits - logits.max(1, keepdims=True)); probabilities /= probabilities.sum(1, keepdims=True)
        // print(f"{path}: {classes[int(p.argmax())]} {float(p.max()):.4f}")
        var answers = new List<Answer>();
        for (int i = 0; i < paths.Count; i++)
        {
            var row = logits.AsSpan(i * classes.Length, classes.Length);
            float max = row.ToArray().Max(), sum = 0;
            foreach (var l in row) sum += MathF.Exp(l - max);
            int best = row.IndexOf(max);
            answers.Add(new Answer(paths[i], classes[best], 1 / sum));
        }
        return answers;
    }

    /// <summary>
    /// def load(path): an image file as the graph's input [3, H, W], RGB values in [0, 1]. The graph's first nodes
    /// apply the model's scale, channel order, mean and std, so none of them is applied here.
    /// </summary>
    private static float[] Load(string path, int size, string interpolation)
    {
        // image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        using var image = Image.Load<Rgb24>(path);
        image.Mutate(c => c.AutoOrient());
        // pixels = np.asarray(image)                       # [H, W, 3], 0-255
        var rgb = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(rgb);
        if (image.Width != size || image.Height != size)
            rgb = interpolation == "nearest" ? Nearest(rgb, image.Width, image.Height, size) : Bilinear(rgb, image.Width, image.Height, size);
        // return pixels.astype(np.float32).transpose(2, 0, 1) / 255     # HWC -> CHW
        var chw = new float[3 * size * size];
        for (int p = 0; p < rgb.Length; p++)
        {
            chw[p] = rgb[p].R / 255f;
            chw[size * size + p] = rgb[p].G / 255f;
            chw[2 * size * size + p] = rgb[p].B / 255f;
        }
        return chw;
    }

    /// <summary>pixels = np.asarray(image.resize((size, size), Image.NEAREST)): the source pixel under each output pixel's centre.</summary>
    private static Rgb24[] Nearest(Rgb24[] source, int width, int height, int size)
    {
        var output = new Rgb24[size * size];
        for (int y = 0; y < size; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / size));
            for (int x = 0; x < size; x++)
                output[y * size + x] = source[sy * width + Math.Min(width - 1, (int)((x + 0.5) * width / size))];
        }
        return output;
    }

    /// <summary>
    /// x = pixels / 255; the row weights, then the column weights (<see cref="TriangleWeights"/>);
    /// pixels = np.floor(np.clip(x * 255 + 0.5, 0, 255)).
    /// </summary>
    private static Rgb24[] Bilinear(Rgb24[] source, int width, int height, int size)
    {
        float[,] across = TriangleWeights(width, size), down = TriangleWeights(height, size);
        var rows = new float[height, size, 3];   // [H, size, C]: each row resized
        for (int y = 0; y < height; y++)
            for (int o = 0; o < size; o++)
                for (int x = 0; x < width; x++)
                {
                    float w = across[o, x];
                    if (w == 0) continue;
                    var p = source[y * width + x];
                    rows[y, o, 0] += w * (p.R / 255f);
                    rows[y, o, 1] += w * (p.G / 255f);
                    rows[y, o, 2] += w * (p.B / 255f);
                }
        var output = new Rgb24[size * size];
        var level = new byte[3];
        for (int o = 0; o < size; o++)
            for (int x = 0; x < size; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    float sum = 0;
                    for (int y = 0; y < height; y++) sum += down[o, y] * rows[y, x, c];
                    level[c] = (byte)MathF.Floor(Math.Clamp(sum * 255 + 0.5f, 0, 255));
                }
                output[o * size + x] = new Rgb24(level[0], level[1], level[2]);
            }
        return output;
    }

    /// <summary>def triangle_weights(n_in, n_out): bilinear weights [n_out, n_in], a triangle filter widened when shrinking.</summary>
    private static float[,] TriangleWeights(int inputLength, int outputLength)
    {
        double ratio = (double)inputLength / outputLength;
        double scale = Math.Max(ratio, 1.0);
        double radius = Math.Ceiling(scale);
        var weights = new float[outputLength, inputLength];
        for (int i = 0; i < outputLength; i++)
        {
            double center = (i + 0.5) * ratio - 0.5;
            float sum = 0;
            for (int j = Math.Max(0, (int)Math.Ceiling(center - radius)); j <= Math.Min(inputLength - 1, (int)Math.Floor(center + radius)); j++)
            {
                weights[i, j] = (float)Math.Max(0.0, 1 - Math.Abs((j - center) / scale));
                sum += weights[i, j];
            }
            for (int j = 0; j < inputLength; j++) weights[i, j] /= sum;
        }
        return weights;
    }

    /// <summary>batch[..., ::-1]: each image mirrored left to right.</summary>
    private static DenseTensor<float> Mirror(DenseTensor<float> batch, int count, int size)
    {
        var mirrored = new DenseTensor<float>([count, 3, size, size]);
        var from = batch.Buffer.Span;
        var to = mirrored.Buffer.Span;
        for (int row = 0; row < count * 3 * size; row++)
            for (int x = 0; x < size; x++)
                to[row * size + x] = from[row * size + size - 1 - x];
        return mirrored;
    }

    private static float[] Logits(InferenceSession session, DenseTensor<float> batch)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", batch)], ["logits"]);
        return results[0].AsTensor<float>().ToArray();
    }
}
