using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CsharpApp;

/// <summary>
/// A model exported by <c>classify export -o model.onnx</c>, run with ONNX Runtime: the class names, preprocessing
/// and test-time augmentation come from the file's metadata, and images are decoded and resized exactly as
/// <c>classify predict</c> does, so the answers are predict's. One instance serves any number of threads
/// (ONNX Runtime's <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/> is thread-safe): make it
/// once, e.g. as a singleton in an ASP.NET Core app.
/// </summary>
public sealed class ClassifyModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Configuration _decoding;
    private readonly int _size;
    private readonly bool _nearest;
    private readonly bool _mirror;

    public ClassifyModel(string onnxPath)
    {
        _session = new InferenceSession(onnxPath);
        var meta = _session.ModelMetadata.CustomMetadataMap;
        if (!meta.TryGetValue("format", out var format) || format != "classify-export-1")
            throw new InvalidDataException($"{onnxPath} was not written by 'classify export' (metadata format is '{format}').");
        ClassNames = JsonSerializer.Deserialize<string[]>(meta["class_names"])!;
        using var preprocessing = JsonDocument.Parse(meta["preprocessing"]);
        _size = preprocessing.RootElement.GetProperty("image_size").GetInt32();
        _nearest = preprocessing.RootElement.GetProperty("interpolation").GetString() == "nearest";
        _mirror = meta.TryGetValue("test_time_augmentation", out var tta) && tta == "horizontal_flip";
        // classify's decoders: these six formats only (ImageSharp's default also guesses TGA and PBM from weak
        // signatures), one thread per image, and the first frame of GIF and TIFF files.
        _decoding = new Configuration(new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(),
            new BmpConfigurationModule(), new TiffConfigurationModule(), new WebpConfigurationModule()) { MaxDegreeOfParallelism = 1 };
        _decoding.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        _decoding.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
    }

    /// <summary>Class names in the network's output order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Largest width x height decoded: classify predict's default (--max-pixels), a decompression-bomb guard.</summary>
    public long MaxPixels { get; init; } = 90_000_000;

    /// <summary>The <paramref name="k"/> most probable classes of an encoded image file, most probable first.</summary>
    public IReadOnlyList<(string Label, float Probability)> Classify(Stream image, int k = 1)
    {
        var pixels = Decode(image);                                       // [H, W, 3] bytes, RGB
        int plane = _size * _size, views = _mirror ? 2 : 1;
        var input = new float[views * 3 * plane];                         // [views, 3, H, W], RGB in [0, 1]
        for (int y = 0; y < _size; y++)
        for (int x = 0; x < _size; x++)
        for (int c = 0; c < 3; c++)
        {
            float value = pixels[(y * _size + x) * 3 + c] * (1f / 255f);
            input[c * plane + y * _size + x] = value;
            if (_mirror) input[(3 + c) * plane + y * _size + (_size - 1 - x)] = value;
        }
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [views, 3, _size, _size]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, ["input"], [tensor], ["logits"]);
        var logits = outputs[0].GetTensorDataAsSpan<float>();             // [views, classes]
        int classes = ClassNames.Count;
        // With horizontal_flip the model answers with the mean logits of the image and its mirror image.
        var mean = new double[classes];
        for (int c = 0; c < classes; c++) mean[c] = _mirror ? (logits[c] + logits[classes + c]) / 2f : logits[c];
        double max = mean.Max(), sum = mean.Sum(l => Math.Exp(l - max));
        return [.. Enumerable.Range(0, classes)
            .Select(c => (Label: ClassNames[c], Probability: (float)(Math.Exp(mean[c] - max) / sum)))
            .OrderByDescending(p => p.Probability)
            .Take(Math.Min(k, classes))];
    }

    /// <summary>
    /// The image as classify makes it network input: decoded to RGB (alpha dropped, grey copied to three channels),
    /// EXIF orientation applied, then resized to the model's side with its filter: nearest as PIL does it (the pixel
    /// under each output pixel's centre), or bilinear with ImageSharp's triangle filter.
    /// </summary>
    private byte[] Decode(Stream stream)
    {
        var info = Image.Identify(_decoding, stream) ?? throw new InvalidDataException("not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF, WebP)");
        if ((long)info.Width * info.Height > MaxPixels)
            throw new InvalidDataException($"{info.Width}x{info.Height} pixels is over the limit of {MaxPixels:N0}");
        stream.Position = 0;
        using var image = Image.Load<Rgb24>(_decoding, stream);
        image.Mutate(c => c.AutoOrient());
        var pixels = new byte[_size * _size * 3];
        if (image.Width == _size && image.Height == _size)
            image.CopyPixelDataTo(pixels);
        else if (_nearest)
        {
            var source = new Rgb24[image.Width * image.Height];
            image.CopyPixelDataTo(source);
            var output = MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan());
            for (int y = 0; y < _size; y++)
            {
                int sourceY = Math.Min(image.Height - 1, (int)((double)image.Height / _size * (y + 0.5)));
                for (int x = 0; x < _size; x++)
                    output[y * _size + x] = source[sourceY * image.Width + Math.Min(image.Width - 1, (int)((double)image.Width / _size * (x + 0.5)))];
            }
        }
        else
        {
            image.Mutate(c => c.Resize(_size, _size, KnownResamplers.Triangle));
            image.CopyPixelDataTo(pixels);
        }
        return pixels;
    }

    public void Dispose() => _session.Dispose();
}
