using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Prediction;

/// <summary>
/// Classifies image files with a trained model and streams the answers: inputs are read lazily in chunks of a few
/// batches, decoded in the background by the <see cref="BatchLoader"/> with the model's own preprocessing, and each
/// batch's rows are yielded as soon as it is done, in input order. Memory does not grow with the number of files.
/// A file that cannot be read gets a row with its error.
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly LoadedModel _model;
    private InferenceNetwork? _network;   // opened at the first batch, when it is known whether the inputs are few
    private readonly ImageDecoder _decoder;
    private readonly PredictOptions _options;
    private readonly Device _device;

    private Predictor(LoadedModel model, PredictOptions options, Device device)
    {
        _model = model;
        _options = options;
        _device = device;
        _decoder = new ImageDecoder(model.Info.Preprocessing, options.MaxPixels);
    }

    /// <summary>The model file in use.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The model's class names in index order.</summary>
    public IReadOnlyList<string> ClassNames => _model.Info.ClassNames;

    /// <summary>Classes listed per row (the option, capped at the number of classes).</summary>
    public int TopK => Math.Min(_options.TopK, ClassNames.Count);

    /// <summary>The engine that ran the network; null before the first batch.</summary>
    public InferenceEngine? Engine => _network?.Engine;

    /// <summary>Why the network ran on libtorch although ONNX Runtime was the default; null otherwise.</summary>
    public string? EngineNote => _network?.FallbackReason;

    /// <summary>Validates the options and loads the model (a model file, or a run folder's best.cls).</summary>
    public static Predictor Open(PredictOptions options)
    {
        options.Validate();
        var modelPath = RunFolder.ResolveModel(options.Model);
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        var model = ModelFile.LoadForInference(modelPath);
        model.Network.to(device);
        return new Predictor(model, options, device) { ModelPath = modelPath };
    }

    /// <summary>
    /// One row per input file of the options' shard (all files without one), in the order of
    /// <paramref name="arguments"/> (see <see cref="PredictionInputs"/>).
    /// </summary>
    public IEnumerable<PredictionRow> Predict(IEnumerable<string> arguments, CancellationToken cancellation = default) =>
        Predict(PredictionInputs.Enumerate(arguments, _options.Shard), cancellation);

    /// <summary>One row per input, in input order; rows stream out batch by batch.</summary>
    public IEnumerable<PredictionRow> Predict(IEnumerable<PredictionInput> inputs, CancellationToken cancellation = default)
    {
        // A few batches per chunk keep the loader's background decoding ahead of the network within the chunk.
        int chunkSize = (int)Math.Min(int.MaxValue, _options.BatchSize * 4L);
        var chunk = new List<PredictionInput>(Math.Min(chunkSize, 4096)); // a huge --batch-size reserves nothing up front
        foreach (var input in inputs)
        {
            chunk.Add(input);
            if (chunk.Count < chunkSize) continue;
            foreach (var row in PredictChunk(chunk, last: false, cancellation)) yield return row;
            chunk.Clear();
        }
        foreach (var row in PredictChunk(chunk, last: true, cancellation)) yield return row;
    }

    /// <summary>
    /// Classifies one chunk; the network is opened before its first batch, told how many images there are when this
    /// chunk is the whole input (<see cref="InferenceNetwork.AreFew"/>).
    /// </summary>
    private IEnumerable<PredictionRow> PredictChunk(List<PredictionInput> chunk, bool last, CancellationToken cancellation)
    {
        if (chunk.Count == 0) yield break;
        // The loader sees only the usable inputs; positions map its indices back to the chunk.
        var positions = new List<int>(chunk.Count);
        var images = new List<LabeledImage>(chunk.Count);
        for (int i = 0; i < chunk.Count; i++)
        {
            if (chunk[i].Error is not null) continue;
            positions.Add(i);
            images.Add(new LabeledImage(chunk[i].Path, 0));
        }
        if (images.Count > 0)
            _network ??= InferenceNetwork.Open(_model, _options.Engine, _device, _options.Threads, last ? images.Count : null,
                _options.Precision);
        var skipped = new SkippedImages();
        var loader = new BatchLoader(images, _decoder, cache: null, skipped) { Strict = _options.Strict };
        var order = Enumerable.Range(0, images.Count).ToArray();
        int next = 0; // first chunk position not yet answered
        var pacing = new FinalizerPacing();
        foreach (var batch in loader.Read(order, _options.BatchSize, cancellation))
        {
            var rows = new List<PredictionRow>(batch.Count * 2);
            using (batch)
            {
                var top = Classify(batch);
                for (int i = 0; i < batch.Count; i++)
                {
                    int position = positions[batch.Indices[i]];
                    while (next < position) rows.Add(ErrorRow(chunk[next++], skipped));
                    rows.Add(new PredictionRow(chunk[position].Path, top[i], null));
                    next = position + 1;
                }
            }
            pacing.AfterBatch();
            foreach (var row in rows) yield return row;
        }
        while (next < chunk.Count) yield return ErrorRow(chunk[next++], skipped);
    }

    /// <summary>The top-k classes of every image in the batch. Runs in one dispose scope; only arrays leave it.</summary>
    private LabelProbability[][] Classify(Batch batch)
    {
        int k = TopK;
        float[] probabilities;
        long[] indices;
        using (inference_mode())
        using (NewDisposeScope())
        {
            var logits = _network!.Logits(BatchTensors.Input(batch, _model.Info.Preprocessing).to(_device),
                _options.TestTimeAugmentation ?? _model.Info.TestTimeAugmentation);                          // [N, classes]
            var (values, classes) = nn.functional.softmax(logits, 1).topk(k, dim: 1);                      // [N, k] each
            probabilities = values.data<float>().ToArray();
            indices = classes.data<long>().ToArray();
        }
        var result = new LabelProbability[batch.Count][];
        for (int i = 0; i < batch.Count; i++)
        {
            result[i] = new LabelProbability[k];
            for (int j = 0; j < k; j++)
                result[i][j] = new LabelProbability(ClassNames[(int)indices[i * k + j]], probabilities[i * k + j]);
        }
        return result;
    }

    private static PredictionRow ErrorRow(PredictionInput input, SkippedImages skipped)
    {
        var reason = input.Error
                     ?? skipped.All.FirstOrDefault(p => p.Key == input.Path).Value
                     ?? "could not be read";
        return new PredictionRow(input.Path, [], reason);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_network is not null) _network.Dispose();   // it owns the model's network
        else _model.Dispose();
    }
}
