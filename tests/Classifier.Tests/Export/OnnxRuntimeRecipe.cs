using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Classifier.Tests.Export;

/// <summary>
/// The C# twin of docs/export.md's ONNX Runtime snippet (Python): the same steps in the same order, each commented
/// with the Python line it stands for. ImageSharp plays PIL's part (decode, EXIF orientation, RGB, resize); it is
/// also what classify decodes with, which is why the twin matches <c>predict</c> to the last pixel where PIL's
/// bilinear filter and JPEG decoder may differ by one level (see the doc). Keep the two texts equal in meaning.
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
        // size = prep["image_size"]
        int size = prep.GetProperty("image_size").GetInt32();
        // resample = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR}[prep["interpolation"]]
        var interpolation = prep.GetProperty("interpolation").GetString() switch
        {
            "nearest" => "nearest",
            "bilinear" => "bilinear",
            var other => throw new KeyNotFoundException(other),
        };
        // resize = prep.get("resize", "squash"); if resize != "squash": raise NotImplementedError(...)
        var resize = prep.TryGetProperty("resize", out var mode) ? mode.GetString() : "squash";
        if (resize != "squash") throw new NotImplementedException($"resize {resize}: only squash is written out here");

        // batch = np.stack([load(p) for p in paths])
        int pixels = 3 * size * size;
        var batch = new DenseTensor<float>([paths.Count, 3, size, size]);
        for (int i = 0; i < paths.Count; i++)
            Load(paths[i], size, interpolation).CopyTo(batch.Buffer.Span.Slice(i * pixels, pixels));
        // logits = session.run(["logits"], {"input": batch})[0]
        var logits = Logits(session, batch);
        // if meta["test_time_augmentation"] == "horizontal_flip":
        //     logits = (logits + session.run(["logits"], {"input": np.ascontiguousarray(batch[..., ::-1])})[0]) / 2
        if (meta["test_time_augmentation"] == "horizontal_flip")
        {
            var mirrored = Logits(session, Mirror(batch, paths.Count, size));
            for (int j = 0; j < logits.Length; j++) logits[j] = (logits[j] + mirrored[j]) / 2;
        }

        // probabilities = softmax(logits); print(path, classes[p.argmax()], p.max())
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
        // if image.size != (size, size): image = image.resize((size, size), resample)
        var rgb = new Rgb24[size * size];
        if (image.Width == size && image.Height == size)
            image.CopyPixelDataTo(rgb);
        else if (interpolation == "nearest")
        {
            // PIL's NEAREST: output pixel i takes source pixel floor((i + 0.5) x in / out), the one under its centre.
            var source = new Rgb24[image.Width * image.Height];
            image.CopyPixelDataTo(source);
            for (int y = 0; y < size; y++)
            {
                int sy = Math.Min(image.Height - 1, (int)((y + 0.5) * image.Height / size));
                for (int x = 0; x < size; x++)
                    rgb[y * size + x] = source[sy * image.Width + Math.Min(image.Width - 1, (int)((x + 0.5) * image.Width / size))];
            }
        }
        else
        {
            // PIL's BILINEAR, which widens its triangle filter when shrinking; ImageSharp's Triangle does the same.
            image.Mutate(c => c.Resize(size, size, KnownResamplers.Triangle));
            image.CopyPixelDataTo(rgb);
        }
        // return np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255     # HWC -> CHW
        var chw = new float[3 * size * size];
        for (int p = 0; p < rgb.Length; p++)
        {
            chw[p] = rgb[p].R / 255f;
            chw[size * size + p] = rgb[p].G / 255f;
            chw[2 * size * size + p] = rgb[p].B / 255f;
        }
        return chw;
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
