using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Prediction;
using Classifier.Core.Runs;

namespace Classifier.Core.Serving;

/// <summary>
/// A model loaded once for a long-running server: images are decoded from memory with the model's preprocessing
/// (the same <see cref="ImageDecoder"/>, limits and reasons as <c>classify predict</c>) on any thread, and batches of
/// decoded pixels are classified on one thread, exactly as <see cref="Predictor"/> classifies a batch. A run folder or
/// a .cls file runs on the engine <c>--engine</c> picks (as predict does for a folder of many images); an exported
/// .onnx file runs on ONNX Runtime with the class names and preprocessing its metadata records.
/// </summary>
public abstract class ServingModel : IDisposable
{
    private readonly ImageDecoder _decoder;

    /// <summary>Sets the fields every kind of model has.</summary>
    private protected ServingModel(string modelPath, string architecture, IReadOnlyList<string> classNames,
        Preprocessing preprocessing, TestTimeAugmentation augmentation, long maxPixels)
    {
        ModelPath = modelPath;
        Architecture = architecture;
        ClassNames = classNames;
        Preprocessing = preprocessing;
        TestTimeAugmentation = augmentation;
        _decoder = new ImageDecoder(preprocessing, maxPixels);
    }

    /// <summary>The model file in use.</summary>
    public string ModelPath { get; }

    /// <summary>The network's name in the model zoo, e.g. "seed-cnn".</summary>
    public string Architecture { get; }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How images become network input.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The test-time augmentation applied to every image.</summary>
    public TestTimeAugmentation TestTimeAugmentation { get; }

    /// <summary>The engine that runs the network.</summary>
    public abstract InferenceEngine Engine { get; }

    /// <summary>Why the network runs on libtorch although ONNX Runtime was the default; null otherwise.</summary>
    public virtual string? EngineNote => null;

    /// <summary>Bytes of one decoded image (<see cref="Data.Preprocessing.PixelBytes"/>).</summary>
    public int PixelBytes => Preprocessing.PixelBytes;

    /// <summary>
    /// Opens <paramref name="options"/>' model: a run folder or .cls file through <see cref="ModelFile"/> and
    /// <see cref="InferenceNetwork"/>, an .onnx file (by its extension) through ONNX Runtime. Throws
    /// <see cref="ClassifierException"/> naming the file when it cannot be used.
    /// </summary>
    public static ServingModel Open(ServeModelOptions options)
    {
        options.Validate();
        if (File.Exists(options.Model) && Path.GetExtension(options.Model).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
            return OnnxFileModel.Open(Path.GetFullPath(options.Model), options);
        return CheckpointModel.Open(RunFolder.ResolveModel(options.Model), options);
    }

    /// <summary>
    /// Decodes an encoded image held in memory into <paramref name="destination"/> (<see cref="PixelBytes"/> bytes).
    /// Returns false with a one-line reason when the bytes are not a usable image (the reasons predict gives a file);
    /// never throws for bad content. Safe to call from several threads at once. <paramref name="cancellation"/> (the
    /// request's timeout, or its client leaving) stops a decode in progress with <see cref="OperationCanceledException"/>.
    /// </summary>
    public bool TryDecode(byte[] encoded, int length, Span<byte> destination, out string? error, CancellationToken cancellation = default)
    {
        using var memory = new MemoryStream(encoded, 0, length, writable: false, publiclyVisible: true);
        return _decoder.TryDecode(memory, destination, out error, cancellation);
    }

    /// <summary>
    /// Class probabilities of <paramref name="count"/> decoded images (uint8 NHWC pixels, <see cref="PixelBytes"/> each),
    /// [count x classes] row-major. Call from one thread at a time: libtorch's no-grad mode and dispose scopes are per thread.
    /// </summary>
    public abstract float[] Probabilities(ReadOnlySpan<byte> pixels, int count);

    /// <summary>The <paramref name="k"/> most probable classes of image <paramref name="image"/> in <paramref name="probabilities"/>, most probable first.</summary>
    public IReadOnlyList<LabelProbability> Top(float[] probabilities, int image, int k)
    {
        int classes = ClassNames.Count;
        k = Math.Clamp(k, 1, classes);
        int start = image * classes;
        // Stable: equal probabilities keep class order.
        var sorted = Enumerable.Range(0, classes).OrderByDescending(c => probabilities[start + c]).Take(k);
        return [.. sorted.Select(c => new LabelProbability(ClassNames[c], probabilities[start + c]))];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the network.</summary>
    protected virtual void Dispose(bool disposing) { }
}
