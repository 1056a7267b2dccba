using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Evaluation;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// One run's epochs, with the run's state in one place (networks, optimizer, loss, data, observer, position) and one
/// short step each: <see cref="TrainEpoch"/> (batch by batch, <see cref="TrainBatch"/>), <see cref="Validate"/>,
/// <see cref="Record"/> (history.csv and the checkpoints), and the stop decision in <see cref="Run"/>'s loop condition.
/// A new run and a resumed one differ only in the <see cref="RunStart"/> it is given.
/// </summary>
internal sealed class TrainingLoop : IDisposable
{
    private readonly TrainOptions _options;
    private readonly Preprocessing _preprocessing;
    private readonly ITrainingObserver _observer;
    private readonly CancellationToken _cancellation;
    private readonly RunFolder _run;
    private readonly Dataset _trainSet;
    private readonly Dataset _validationSet;
    private readonly string _validationSource;
    private readonly nn.Module<Tensor, Tensor> _model;
    /// <summary>The network that is validated and saved as the run's model: the weight average when there is one.</summary>
    private readonly nn.Module<Tensor, Tensor> _evaluated;
    private readonly WeightAverage? _average;
    private readonly AdamOptimizer _optimizer;
    private readonly Device _device;
    private readonly StartingWeights? _startingWeights;
    private readonly string? _weightsNote;
    private readonly SkippedImages _skipped = new();
    private readonly CacheBudget _budget;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validationLoader;
    private readonly double[]? _classWeights;
    private readonly TrainingLoss _loss;
    private readonly Augmenter _augmenter;
    private FeatureCache? _features;
    private TrainingState _state;

    public TrainingLoop(TrainOptions options, RunStart start, ITrainingObserver observer, CancellationToken cancellation)
    {
        _options = options;
        _preprocessing = options.Preprocessing;
        _observer = observer;
        _cancellation = cancellation;
        _run = start.Run;
        (_trainSet, _validationSet, _validationSource) = start.Data;
        _model = start.Model;
        _average = start.Average;
        _evaluated = start.Average?.Network ?? start.Model;
        _optimizer = start.Optimizer;
        _state = start.State;
        _device = start.Device;
        _startingWeights = start.StartingWeights;
        _weightsNote = start.WeightsNote;

        MixedPrecision.Apply(_model, options.Precision);
        MixedPrecision.Apply(_evaluated, options.Precision);
        _skipped.Skipped += (path, reason) => observer.OnDataWarning(DataWarning.Skipped(path, reason));
        var decoder = new ImageDecoder(_preprocessing, options.MaxPixels);
        _budget = CacheBudget.For(options.Cache);
        // Under --resize crop training decodes the larger square and cuts a window of it each epoch (FineTuning.TrainingCrop).
        var trainDecoder = new ImageDecoder(_preprocessing, options.MaxPixels) { KeepsCropMargin = true };
        _trainLoader = new BatchLoader(_trainSet.Images, trainDecoder, Cache(_trainSet), _skipped) { Strict = options.Strict };
        _validationLoader = new BatchLoader(_validationSet.Images, decoder, Cache(_validationSet), _skipped) { Strict = options.Strict };
        _classWeights = options.ClassWeight == ClassWeighting.Balanced ? TrainingLoss.BalancedWeights(_trainSet.ClassCounts()) : null;
        _loss = new TrainingLoss(options.LabelSmoothing, _classWeights, _device);
        _augmenter = new Augmenter(options.Augment);
        _features = (options.Freeze == FreezeMode.Backbone || options.FreezeEpochs > 0) && !options.Augment.Any && options.Cache != CacheMode.None
                    && options.Network.Head is { } head
            ? new FeatureCache(_trainSet.Images, MixedPrecision.Apply(NetworkHead.Module(_model, head), options.Precision), _budget)
            : null;
    }

    private IReadOnlyList<string> ClassNames => _trainSet.ClassNames;

    /// <summary>Trains the epochs left, then draws the curves and lists the skipped files.</summary>
    public TrainResult Run()
    {
        Start();
        for (int epoch = _state.CompletedEpochs + 1; epoch <= _options.Epochs && !_state.StoppedEarly; epoch++)
            RunEpoch(epoch);
        return End();
    }

    public void Dispose() => _loss.Dispose();

    private void Start()
    {
        _observer.OnTrainingStarted(new TrainingStarted(_run, _trainSet, _validationSet, _validationSource,
            _options.Network.SummaryOf(_model, ClassNames.Count, _preprocessing.ImageSize), _options, get_num_threads(), _budget.Bytes,
            _state.CompletedEpochs, _classWeights) { WeightsNote = _weightsNote });
        foreach (var warning in DataWarning.ForClasses(_trainSet, _validationSet, _classWeights)) _observer.OnDataWarning(warning);
        if (_state.CompletedEpochs > 0) HistoryCsv.Write(_run.History, _state.History);
    }

    private void RunEpoch(int epoch)
    {
        // Cancelled at an epoch boundary: last.cls already holds this position.
        _cancellation.ThrowIfCancellationRequested();
        double learningRate = LearningRates.For(_options, epoch, _state.PlateauScale);
        _optimizer.LearningRate = learningRate;

        var partial = _state.Partial?.Epoch == epoch ? _state.Partial : null;
        var clock = Stopwatch.StartNew();
        // Past --freeze-epochs the backbone trains and its features change: the cache has done its work.
        if (!_options.BackboneFrozenIn(epoch)) _features = null;
        var trained = TrainEpoch(epoch, partial);
        // Training and validation use buffers of different sizes; each phase's free blocks go back to the system
        // before the other starts, so the heap does not hold both phases' worth (see NativeHeap).
        NativeHeap.ReleaseFreeMemory();
        var validation = Validate(trained);
        if (trained.Seen == 0)
            throw new ClassifierException($"No training image in '{_trainSet.Root}' could be read; see the warnings above.");
        if (validation.Images == 0 && _validationSet.Images.Count > 0)
            throw new ClassifierException(
                $"None of the {_validationSet.Images.Count} validation images ({_validationSet.Root}) could be read, so no epoch can be judged; see the warnings above. Replace them or give another --val.");

        var row = new HistoryRow(epoch, (double)trained.Correct / trained.Seen, trained.LossSum / trained.Seen,
            validation.Accuracy, validation.Loss, learningRate, (partial?.Seconds ?? 0) + clock.Elapsed.TotalSeconds);
        bool isBest = Record(row);
        _observer.OnEpochCompleted(row, isBest);
    }

    /// <summary>
    /// One pass over the training images. Returns the epoch's running sums; when cancelled between batches it
    /// returns early with <see cref="PartialEpoch.Batches"/> below the epoch's count and the RNG state to resume from.
    /// </summary>
    private PartialEpoch TrainEpoch(int epoch, PartialEpoch? resumeFrom)
    {
        // Seeding from (seed, epoch) makes each epoch's shuffle, dropout and augmentation independent of earlier
        // epochs, so a run resumed at an epoch boundary continues exactly as an uninterrupted one; inside an epoch
        // the saved generator state takes over.
        long epochSeed = Trainer.EpochSeed(_options.Seed, epoch);
        manual_seed(epochSeed);
        var order = Enumerable.Range(0, _trainLoader.ImageCount).ToArray();
        new Random(unchecked((int)epochSeed)).Shuffle(order);
        int batches = (order.Length + _options.BatchSize - 1) / _options.BatchSize;
        var progress = resumeFrom ?? new PartialEpoch(epoch, 0, 0, 0, 0, 0, []);
        if (resumeFrom is not null)
            using (var rng = tensor(resumeFrom.RngState, dtype: ScalarType.Byte)) random.set_rng_state(rng);

        _model.train();
        FineTuning.SetModes(_model, _options, epoch);
        bool batchNormTrains = FineTuning.BatchNormTrains(_model);
        var clock = Stopwatch.StartNew();
        double lossSum = progress.LossSum;
        long correct = progress.Correct, seen = progress.Seen;
        int batchNumber = progress.Batches;
        var remaining = order[Math.Min(order.Length, batchNumber * _options.BatchSize)..];
        // With a frozen backbone whose features are all cached, the epoch runs the head alone and reads no image.
        bool cached = _features is not null && _features.Covers(remaining);
        int[] current = [];
        using var recording = _features is not null && !cached ? _features.Record(() => current) : null;
        var pacing = new FinalizerPacing();
        try
        {
            foreach (var batch in cached ? CachedBatches(remaining) : _trainLoader.Read(remaining, _options.BatchSize, _cancellation, FineTuning.TrainingCrop(_options, epoch, epochSeed)))
            {
                if (batch.Count == 1 && batchNormTrains)
                {
                    // Batch norm cannot train on one image; timm and fastai drop the last incomplete batch for this.
                    batch.Dispose();
                    batchNumber++;
                    continue;
                }
                using (batch)
                using (NewDisposeScope())
                {
                    current = batch.Indices;
                    var (lossValue, batchCorrect) = TrainBatch(batch, cached, epoch, batchNumber, resumeFrom is not null);
                    lossSum += (double)lossValue * batch.Count;
                    correct += batchCorrect;
                    seen += batch.Count;
                }
                pacing.AfterBatch();
                batchNumber++;
                double elapsed = clock.Elapsed.TotalSeconds;
                double rate = (seen - progress.Seen) / Math.Max(elapsed, 1e-9);
                _observer.OnBatchCompleted(new BatchProgress(epoch, _options.Epochs, batchNumber, batches,
                    lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), rate,
                    (order.Length - Math.Min(order.Length, batchNumber * _options.BatchSize)) / Math.Max(rate, 1e-9)));
                if (_cancellation.IsCancellationRequested) break;
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // Stopped while waiting for a batch: the position is still a batch boundary.
        }
        return new PartialEpoch(epoch, batchNumber, lossSum, correct, seen, progress.Seconds + clock.Elapsed.TotalSeconds, RngState());
    }

    /// <summary>
    /// One optimizer step on <paramref name="batch"/>, inside the caller's dispose scope: its mean loss and how many of its
    /// images the network (before the step) classified correctly. <paramref name="batchNumber"/> (0-based) and
    /// <paramref name="resumed"/> only word the error when the loss is not finite.
    /// </summary>
    private (float Loss, long Correct) TrainBatch(Batch batch, bool cached, int epoch, int batchNumber, bool resumed)
    {
        _optimizer.ZeroGrad();
        Tensor logits, labels;
        if (cached)
        {
            logits = _features!.Head(_features.Features(batch.Indices).to(_device));                      // [N, classes]
            labels = BatchTensors.Labels(batch).to(_device);                                             // [N]
        }
        else
        {
            var input = BatchTensors.Input(batch, _preprocessing, _augmenter.Options.Any ? _augmenter.Apply : null, _device); // [N, 3, H, W]
            logits = _model.call(input);                                                                 // [N, classes]
            labels = BatchTensors.Labels(batch).to(_device);                                             // [N]
        }
        float lossValue = Trainer.Step(logits, labels, _loss, _optimizer);
        if (!float.IsFinite(lossValue))
            throw new ClassifierException(
                $"Training stopped: the loss became {lossValue} at epoch {epoch}, batch {batchNumber + 1}. " +
                // A checkpoint is written at the end of every epoch, so one exists from the second epoch on or when resuming.
                (epoch > 1 || resumed ? "The last good checkpoint stays in the run folder; try" : "No checkpoint was saved yet; try") +
                " a lower --learning-rate.");
        _average?.Update(_optimizer.Steps);
        return (lossValue, logits.argmax(1).eq(labels).sum().item<long>());
    }

    /// <summary>Batches of indices only (no pixels): the cached path reads features and labels by index.</summary>
    private IEnumerable<Batch> CachedBatches(int[] indices)
    {
        for (int start = 0; start < indices.Length; start += _options.BatchSize)
        {
            var ids = indices[start..Math.Min(indices.Length, start + _options.BatchSize)];
            yield return Batch.WithoutPixels(_features!.Labels(ids), ids);
        }
    }

    /// <summary>
    /// The evaluated network on the validation images. Cancelled before or during it, the epoch's position
    /// (<paramref name="trained"/>) is saved in last.cls and the cancellation rethrown.
    /// </summary>
    private EvaluationResult Validate(PartialEpoch trained)
    {
        try
        {
            _cancellation.ThrowIfCancellationRequested();
            var validation = Evaluator.Evaluate(_evaluated, _validationLoader,
                new EvaluationSettings(ClassNames, _preprocessing, Trainer.ValidationBatchSize(_options))
                {
                    Device = _device,
                    Augmentation = _options.TestTimeAugmentation,
                }, _cancellation);
            NativeHeap.ReleaseFreeMemory();
            return validation;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            SaveInterrupted(trained);
            throw;
        }
    }

    /// <summary>
    /// Adds <paramref name="row"/> to the run: the bookkeeping (best epoch, early stopping, plateau), history.csv,
    /// last.cls and, when it is the best so far, best.cls. Returns whether it is the best.
    /// </summary>
    private bool Record(HistoryRow row)
    {
        (_state, bool isBest) = EpochBookkeeping.After(_state, row, _options);
        HistoryCsv.Write(_run.History, _state.History);
        var info = Info(row.Epoch, row);
        // The run's end: unless --keep-optimizer, the checkpoint keeps the model and the run's position, not Adam's moments.
        bool ended = row.Epoch == _options.Epochs || _state.StoppedEarly;
        Checkpoint.Save(_run.LastModel, _evaluated, _optimizer, info, _state, trained: _model, resumable: !ended || _options.KeepOptimizer);
        if (isBest) ModelFile.Save(_run.BestModel, _evaluated, info);
        return isBest;
    }

    private TrainResult End()
    {
        CurvesPlot.SaveFromHistory(_run.History, _run.Curves);
        if (_skipped.Count > 0) SkippedCsv.Write(_run.Skipped, _skipped.All);
        var result = new TrainResult(_run, _state.History, _state.BestEpoch, _skipped.Count, _state.StoppedEarly && _state.CompletedEpochs < _options.Epochs,
            _options, _trainSet, _validationSet);
        _observer.OnTrainingEnded(result);
        return result;
    }

    private void SaveInterrupted(PartialEpoch partial)
    {
        var last = _state.History.Count > 0 ? _state.History[^1] : null;
        var info = Info(_state.CompletedEpochs, last);
        Checkpoint.Save(_run.LastModel, _evaluated, _optimizer, info, _state with { Partial = partial }, trained: _model);
        if (_state.History.Count > 0) CurvesPlot.SaveFromHistory(_run.History, _run.Curves);
    }

    private static byte[] RngState()
    {
        using var state = random.get_rng_state();
        return state.data<byte>().ToArray();
    }

    private ModelInfo Info(int epoch, HistoryRow? row) =>
        new(_options.Model, ClassNames, _preprocessing, epoch,
            row is null
                ? new Dictionary<string, double>()
                : new Dictionary<string, double>
                {
                    ["accuracy"] = row.Accuracy, ["loss"] = row.Loss,
                    ["val_accuracy"] = row.ValAccuracy, ["val_loss"] = row.ValLoss,
                },
            ToolInfo.Version, TorchRuntime.TorchSharpVersion, DateTime.UtcNow)
        {
            TestTimeAugmentation = _options.TestTimeAugmentation,
            Precision = _options.Precision,
            Hyperparameters = new NetworkHyperparameters(ClassNames.Count, _preprocessing.ImageSize),
            Weights = _startingWeights?.Name
                      ?? (_options.Weights is { } from ? Path.GetFileName(Path.TrimEndingDirectorySeparator(from)) : null),
            WeightsFile = _startingWeights?.FileName,
            WeightsSha256 = _startingWeights?.Sha256,
        };

    private PixelCache? Cache(Dataset dataset) =>
        _options.Cache == CacheMode.None ? null : new PixelCache(dataset.Images.Count, _budget);
}
