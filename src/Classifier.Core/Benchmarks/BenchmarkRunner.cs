using Classifier.Core.Data;
using Classifier.Core.Diagnostics;
using Classifier.Core.Evaluation;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using Classifier.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Benchmarks;

/// <summary>
/// <c>classify benchmark</c>: generates images in a temporary folder and measures, for each image size, decoding
/// alone, the training step on synthetic batches (the compute ceiling) and on naive NCHW batches (the reference),
/// training epochs from files through the real trainer, evaluation from files and the inference ceiling; for a zoo network
/// with a head, also training with a frozen backbone through the real trainer, whose later epochs run from cached features.
/// </summary>
public static class BenchmarkRunner
{
    /// <summary>Runs every size in <paramref name="options"/>; <paramref name="log"/> hears what is being measured.</summary>
    public static IReadOnlyList<BenchmarkResult> Run(BenchmarkOptions options, Action<string>? log = null)
    {
        options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var results = new List<BenchmarkResult>();
        foreach (var size in options.ImageSizes)
        foreach (var precision in Precisions(options))
        {
            var root = Path.Combine(Path.GetTempPath(), $"classify-benchmark-{Environment.ProcessId}-{size}-{MixedPrecision.Name(precision)}");
            try
            {
                // Each size's peak row is its own: the high-water mark restarts from what is resident now.
                NativeHeap.ReleaseFreeMemory();
                ProcessMemory.ResetPeak();
                results.Add(RunOne(options with { Precision = precision }, size, root, log ?? (_ => { })));
            }
            finally
            {
                if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            }
        }
        return results;
    }

    /// <summary>
    /// The precisions to measure: with <see cref="Precision.Auto"/> fp32, and bf16 beside it where the CPU computes
    /// bf16 natively (for every network, the seed CNN included, so the table shows what --precision bf16 would give).
    /// </summary>
    public static IReadOnlyList<Precision> Precisions(BenchmarkOptions options) => options.Precision switch
    {
        Precision.Auto => CpuFeatures.NativeBf16 && Autocast.Available ? [Precision.Fp32, Precision.Bf16] : [Precision.Fp32],
        var explicitOne => [MixedPrecision.Resolve(explicitOne, NetworkRegistry.Get(options.Model).MixedPrecisionByDefault, CPU)],
    };

    private static BenchmarkResult RunOne(BenchmarkOptions options, int size, string root, Action<string> log)
    {
        int count = options.ImagesFor(size);
        var precision = options.Precision;
        log($"{size} px, {MixedPrecision.Name(precision)}: writing {count:N0} {(size >= 96 ? "JPEG" : "PNG")} images to {root}");
        var train = BenchmarkImages.Write(Path.Combine(root, "train"), count, size);
        var val = BenchmarkImages.Write(Path.Combine(root, "val"), BenchmarkImages.Classes * 2, size, seed: 2);
        var dataset = DatasetScanner.Scan(train);
        var spec = NetworkRegistry.Get(options.Model);
        var preprocessing = spec.Preprocessing(size);

        log($"{size} px: decode + resize");
        var decode = DecodeRate(dataset, preprocessing, options.BatchSize);

        var pixels = new byte[options.BatchSize * preprocessing.PixelBytes];
        new Random(3).NextBytes(pixels);
        log($"{size} px: training steps on synthetic batches (ceiling) and on naive NCHW batches (reference), interleaved");
        // The two run on different threads, whose heaps (glibc arenas) would each still hold the other round's freed
        // blocks: handed back after each round, so the peak row is one training step's.
        var (ceiling, naive) = Measurement.Interleaved(options.SecondsPerMeasurement,
            seconds => ReleasingFreeMemory(TrainSteps(spec, size, pixels, options.BatchSize, naive: false, seconds, precision)),
            seconds => ReleasingFreeMemory(Task.Run(() => TrainSteps(spec, size, pixels, options.BatchSize, naive: true, seconds, precision)).GetAwaiter().GetResult()));

        NativeHeap.ReleaseFreeMemory(); // phases differ in buffer sizes
        log($"{size} px: two training epochs from files");
        var epochs = TrainFromFiles(options, train, val, size, Path.Combine(root, "run"), FreezeMode.None, 2);
        var (firstEpoch, laterEpoch) = (epochs[0], epochs[^1]);

        (double First, double Later)? frozen = null;
        if (spec.Head is not null)
        {
            NativeHeap.ReleaseFreeMemory();
            log($"{size} px: frozen-backbone training from files, {FrozenEpochs} epochs (later ones from cached features when --cache allows)");
            var rates = TrainFromFiles(options, train, val, size, Path.Combine(root, "frozen"), FreezeMode.Backbone, FrozenEpochs);
            frozen = (rates[0], Measurement.Median([.. rates.Skip(1)]));
        }

        NativeHeap.ReleaseFreeMemory();
        log($"{size} px: evaluation from files");
        var evaluate = EvaluateFromFiles(spec, dataset, preprocessing, options.EvaluationBatchSize, options.Engine, precision);
        var evalPixels = new byte[options.EvaluationBatchSize * preprocessing.PixelBytes];
        new Random(4).NextBytes(evalPixels);
        NativeHeap.ReleaseFreeMemory();
        log($"{size} px: inference on synthetic batches (ceiling)");
        var (inference, engine) = InferenceSteps(spec, size, evalPixels, options.EvaluationBatchSize, options.SecondsPerMeasurement, options.Engine, precision);

        return new BenchmarkResult(size, count, size >= 96 ? "jpeg 320x240" : "png", options.BatchSize, options.EvaluationBatchSize,
            get_num_threads(), EnumValues.Name(options.Cache), decode.PerSecond, ceiling, naive, firstEpoch, laterEpoch,
            evaluate.PerSecond, inference.PerSecond, ProcessMemory.PeakBytes)
        {
            DecodeCpuMicroseconds = decode.CpuMicroseconds,
            EvaluateCpuMicroseconds = evaluate.CpuMicroseconds,
            InferenceCpuMicroseconds = inference.CpuMicroseconds,
            FrozenFirstEpoch = frozen?.First,
            FrozenLaterEpoch = frozen?.Later,
            Engine = EnumValues.Name(engine),
            Precision = MixedPrecision.Name(precision),
        };
    }

    private static double ReleasingFreeMemory(double rate)
    {
        NativeHeap.ReleaseFreeMemory();
        return rate;
    }

    private static Rate DecodeRate(Dataset dataset, Preprocessing preprocessing, int batchSize)
    {
        var loader = new BatchLoader(dataset.Images, new ImageDecoder(preprocessing), cache: null, new SkippedImages());
        var order = Enumerable.Range(0, dataset.Images.Count).ToArray();
        // Warm-up, as for the other rows: the decoder's code goes through the JIT's tiers (a few thousand small images)
        // before the clock starts; then whole passes until a second has gone by, so small images are not timed over a
        // fraction of a second.
        foreach (var batch in loader.Read(order[..Math.Min(order.Length, 2048)], batchSize)) batch.Dispose();
        var clock = new CpuClock();
        long images = 0;
        do
        {
            foreach (var batch in loader.Read(order, batchSize))
                using (batch) images += batch.Count;
        } while (clock.Seconds < 1);
        return Rate.Of(images, clock);
    }

    /// <summary>Training steps per second x batch size, after two warm-up steps, for at least <paramref name="seconds"/>.</summary>
    private static double TrainSteps(NetworkSpec spec, int size, byte[] pixels, int batchSize, bool naive, double seconds, Precision precision)
    {
        manual_seed(1);
        using var model = MixedPrecision.Apply(spec.Create(BenchmarkImages.Classes, size), precision);
        var preprocessing = spec.Preprocessing(size);
        using var optimizer = new AdamOptimizer(model.parameters(), 1e-3);
        var labels = Enumerable.Range(0, batchSize).Select(i => (long)(i % BenchmarkImages.Classes)).ToArray();
        var floats = naive ? new float[pixels.Length] : null;
        model.train();
        return Measurement.Repeat(seconds, () =>
        {
            using var scope = NewDisposeScope();
            var input = naive ? NaiveInput(pixels, floats!, batchSize, size) : BatchTensors.Input(pixels, batchSize, size, preprocessing);
            optimizer.ZeroGrad();
            var loss = nn.functional.cross_entropy(model.call(input), tensor(labels));
            loss.backward();
            optimizer.Step();
            _ = loss.item<float>();
        }).PerSecond * batchSize;
    }

    /// <summary>
    /// The reference, a straightforward TorchSharp loop: pixels converted to float NCHW by a managed loop and copied in
    /// as a contiguous tensor. <see cref="RunOne"/> runs it on a worker thread, as a program would that does not serve
    /// its torch work from the main thread (with <c>CLASSIFY_HEAP=keep</c> only the main thread's heap keeps its
    /// blocks; see <see cref="NativeHeap"/>).
    /// </summary>
    private static Tensor NaiveInput(byte[] pixels, float[] floats, int batchSize, int size)
    {
        int plane = size * size;
        for (int n = 0; n < batchSize; n++)
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < 3; c++)
                    floats[(n * 3 + c) * plane + p] = pixels[(n * plane + p) * 3 + c] / 255f;
        return tensor(floats, [batchSize, 3, size, size]);
    }

    private static (Rate Rate, InferenceEngine Engine) InferenceSteps(NetworkSpec spec, int size, byte[] pixels, int batchSize, double seconds,
        InferenceEngine engine, Precision precision)
    {
        var preprocessing = spec.Preprocessing(size);
        var classNames = Enumerable.Range(0, BenchmarkImages.Classes).Select(i => $"class{i}").ToList();
        using var network = OpenInference(spec, classNames, preprocessing, engine, precision);
        using var inference = inference_mode();
        var steps = Measurement.Repeat(seconds, () =>
        {
            using var scope = NewDisposeScope();
            // The path eval and predict take (their engine; staged for the ResNets on libtorch), so the peak row is theirs.
            _ = network.Logits(BatchTensors.Input(pixels, batchSize, size, preprocessing), TestTimeAugmentation.None).argmax(1).data<long>().ToArray();
        });
        return (new Rate(steps.PerSecond * batchSize, steps.CpuMicroseconds / batchSize), network.Engine);
    }

    /// <summary>
    /// Epochs of training with a frozen backbone: the first records the backbone's features, the others (their median is
    /// the row) train the head alone on them, as <c>classify train --freeze backbone</c> does after its first epoch.
    /// </summary>
    private const int FrozenEpochs = 6;

    /// <summary>The training throughput of each epoch of a real training run on the generated images.</summary>
    private static List<double> TrainFromFiles(BenchmarkOptions options, string train, string val, int size, string output,
        FreezeMode freeze, int epochs)
    {
        var observer = new EpochRates();
        new Trainer(new TrainOptions
        {
            DataDir = train,
            ValidationDir = val,
            Model = options.Model,
            ImageSize = size,
            Epochs = epochs,
            Freeze = freeze,
            BatchSize = options.BatchSize,
            Threads = options.Threads,
            Cache = options.Cache,
            OutputDir = output,
            Precision = options.Precision,
        }, observer).Run();
        return observer.Rates;
    }

    /// <summary>A randomly initialised <paramref name="spec"/> network on <paramref name="engine"/>, as eval and predict open a model file.</summary>
    private static InferenceNetwork OpenInference(NetworkSpec spec, IReadOnlyList<string> classNames, Preprocessing preprocessing, InferenceEngine engine,
        Precision precision)
    {
        manual_seed(1);
        var info = new ModelInfo(spec.Name, classNames, preprocessing, 0, new Dictionary<string, double>(), ToolInfo.Version,
            TorchRuntime.TorchSharpVersion, DateTime.UtcNow) { Precision = precision };
        var model = new LoadedModel(spec.Create(classNames.Count, preprocessing.ImageSize), info, new Dictionary<string, byte[]>());
        // As eval opens a model trained in this precision: --engine auto takes the network's engine for it (libtorch bf16 or
        // ONNX Runtime fp32), --engine torch runs it in that precision, ONNX Runtime runs fp32.
        var inferencePrecision = engine switch
        {
            InferenceEngine.Onnx => Precision.Fp32,
            InferenceEngine.Torch => precision,
            _ => Precision.Auto,
        };
        return InferenceNetwork.Open(model, engine, CPU, precision: inferencePrecision);
    }

    private static Rate EvaluateFromFiles(NetworkSpec spec, Dataset dataset, Preprocessing preprocessing, int batchSize, InferenceEngine engine,
        Precision precision)
    {
        using var model = OpenInference(spec, dataset.ClassNames, preprocessing, engine, precision);
        var decoder = new ImageDecoder(preprocessing);
        // Warm-up on two batches, as the inference ceiling has: JIT tiers, and the heap's first faults on the buffers.
        var warmUp = dataset.Images.Take(2 * batchSize).ToList();
        var settings = new EvaluationSettings(dataset.ClassNames, preprocessing, batchSize);
        Evaluator.Evaluate(model, new BatchLoader(warmUp, decoder, cache: null, new SkippedImages()), settings);
        var loader = new BatchLoader(dataset.Images, decoder, cache: null, new SkippedImages());
        var clock = new CpuClock();
        var result = Evaluator.Evaluate(model, loader, settings);
        return Rate.Of(result.Images, clock) with { PerSecond = result.Images / result.Seconds };
    }

    /// <summary>The training throughput each epoch ended with.</summary>
    private sealed class EpochRates : ITrainingObserver
    {
        private double _last;
        public List<double> Rates { get; } = [];
        public void OnBatchCompleted(BatchProgress progress) => _last = progress.ImagesPerSecond;
        public void OnEpochCompleted(HistoryRow row, bool isBest) => Rates.Add(_last);
    }
}
