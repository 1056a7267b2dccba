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
/// The one training loop: seeded shuffling and augmentation each epoch, one dispose scope per batch, validation
/// through the <see cref="Evaluator"/>, history and checkpoints after every epoch, curves drawn from history.csv at
/// the end. A new run and a resumed one go through the same loop.
/// </summary>
public sealed class Trainer(TrainOptions options, ITrainingObserver observer)
{
    /// <summary>What the run started from (recorded in every model file), or null for random weights.</summary>
    private StartingWeights? _startingWeights;

    /// <summary>
    /// Images per validation batch of a run with <paramref name="options"/>, during training and after it: the training
    /// batch size. A larger validation batch holds more activations at once and would make validation, rather than the
    /// training step, set the run's peak memory (it was 64 or more: at 224 px that added about 1 GB).
    /// </summary>
    internal static int ValidationBatchSize(TrainOptions options) => options.BatchSize;

    /// <summary>
    /// Trains a new run. Cancelling stops after the current batch, saves a resumable last.cls and rethrows
    /// <see cref="OperationCanceledException"/>; completed epochs stay saved.
    /// </summary>
    public TrainResult Run(CancellationToken cancellation = default)
    {
        options.Validate();
        if (options.Weights is { } source) WeightsSource.CheckSource(source, options.Network);
        var data = TrainingData.Resolve(options);
        // Fetched (from PyTorch's cache, or downloaded into it) before the run folder exists, so a failure leaves nothing.
        _startingWeights = options.Weights is { } requested && !WeightsSource.IsClassifyModel(requested)
            ? PretrainedWeights.Prepare(requested, options.Network, WeightsFetchSettings.FromEnvironment, observer.OnWeightsDownload, cancellation)
            : null;
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        // From here on the run's precision is fp32 or bf16, as options.json, the model files and resume see it.
        options = options with { Precision = MixedPrecision.Resolve(options.Precision, options.Network, device, options.Preprocessing.ImageSize) };
        using var run = RunFolder.CreateNew(options.OutputDir);
        var spec = options.Network;
        var preprocessing = options.Preprocessing;
        // The effective options, with the model's defaults written out, so a resumed run never depends on them.
        TrainOptionsFile.Write(run.Options, options with
        {
            DataDir = Path.GetFullPath(options.DataDir),
            ValidationDir = options.ValidationDir is null ? null : Path.GetFullPath(options.ValidationDir),
            OutputDir = run.Path,
            ImageSize = preprocessing.ImageSize,
            Interpolation = preprocessing.Interpolation,
            Resize = preprocessing.Resize,
            Freeze = options.EffectiveFreeze,
            LrSchedule = options.EffectiveLrSchedule,
        });
        manual_seed(options.Seed);
        int classes = data.Train.ClassNames.Count;
        if (spec.TrainsOnlyWithKnownCpuCaches) OneDnnSafety.AvoidBrgemmWhereCacheSizesAreUnknown();
        using var model = spec.Create(classes, preprocessing.ImageSize);
        // A model classify trained copies its layers (the head too when the classes match); other weights were prepared above.
        var weightsNote = options.Weights is not { } weights ? null
            : _startingWeights is { } prepared ? PretrainedWeights.Load(prepared, spec, model)
            : ClassifyModelWeights.Load(weights, spec, model, data.Train.ClassNames);
        model.to(device); // before the optimizer takes the parameters
        using var optimizer = CreateOptimizer(model);
        using var average = options.EmaDecay is { } decay
            ? new WeightAverage(model, () => spec.Create(classes, preprocessing.ImageSize), decay)
            : null;
        return Loop(run, data, model, average, optimizer, new TrainingState(), device, cancellation, weightsNote);
    }

    /// <summary>
    /// Continues the run in <paramref name="runDir"/> from its last.cls with the options it was started with,
    /// optionally extending it to <paramref name="epochs"/>. The result equals an uninterrupted run with the same
    /// seed and thread count, except when a finished run kept no optimizer state (see <see cref="Checkpoint.KeptNoOptimizer"/>).
    /// </summary>
    public static TrainResult Resume(string runDir, int? epochs, ITrainingObserver observer, CancellationToken cancellation = default)
    {
        using var run = RunFolder.Claim(runDir);
        if (!File.Exists(run.Options))
            throw new ClassifierException($"Run folder '{runDir}' has no {RunFolder.OptionsName}; it is not a training run that can be resumed.");
        if (!File.Exists(run.LastModel))
            throw new ClassifierException(
                $"Run folder '{runDir}' has no {RunFolder.LastModelName}: it stopped before saving a checkpoint, so there is nothing to resume. " +
                $"Start it again with 'classify train DATA_DIR -o {runDir}' (a folder without a checkpoint is reused).");
        var options = TrainOptionsFile.Read(run.Options);
        if (epochs is { } extended) options = options with { Epochs = extended };
        // Runs from before --precision have no entry: they trained in fp32.
        if (options.Precision == Precision.Auto) options = options with { Precision = Precision.Fp32 };
        options.Validate();
        TorchRuntime.Initialize(options.Threads);
        if (options.Network.TrainsOnlyWithKnownCpuCaches) OneDnnSafety.AvoidBrgemmWhereCacheSizesAreUnknown();
        var device = DeviceSelection.Resolve(options.Device);
        MixedPrecision.Resolve(options.Precision, options.Network, device);   // bf16 on a GPU is refused, naming --precision

        using var checkpoint = ModelFile.Load(run.LastModel);
        // Runs started before --resize existed have none in options.json: they train on as their model file records.
        options = options with { Resize = options.Resize ?? checkpoint.Info.Preprocessing.Resize };
        ResumeCheck.RequireMatch(runDir, run.LastModel, checkpoint.Info, options);
        var state = Checkpoint.ReadState(run.LastModel, checkpoint);
        if (state.Partial is null && state.CompletedEpochs >= options.Epochs)
            throw new ClassifierException(
                $"Run '{runDir}' has already trained {state.CompletedEpochs} of {options.Epochs} epoch(s); pass --epochs N with N above {state.CompletedEpochs} to train further.");
        if (state.StoppedEarly)
            state = state with { StoppedEarly = false, EpochsWithoutImprovement = 0 };

        var data = TrainingData.Resolve(options);
        if (!data.Train.ClassNames.SequenceEqual(checkpoint.Info.ClassNames))
            throw new ClassifierException(
                $"The data folder's classes ({string.Join(", ", data.Train.ClassNames)}) are not the run's ({string.Join(", ", checkpoint.Info.ClassNames)}); resume needs the same data.");
        TrainOptionsFile.Write(run.Options, options);
        var trainer = new Trainer(options, observer) { _startingWeights = StartingWeights.Recorded(checkpoint.Info) };
        // With a weight average the checkpoint's model is the average; the optimizer's network is stored beside it.
        var trained = Checkpoint.TrainedNetwork(run.LastModel, checkpoint, averaged: options.EmaDecay is not null);
        using var ownTrained = ReferenceEquals(trained, checkpoint.Network) ? null : trained;
        trained.to(device);
        using var optimizer = trainer.CreateOptimizer(trained);
        // A finished run's last.cls keeps no optimizer state unless --keep-optimizer: extending it restarts Adam.
        bool restartsOptimizer = Checkpoint.KeptNoOptimizer(checkpoint);
        if (!restartsOptimizer) Checkpoint.RestoreOptimizer(run.LastModel, checkpoint, optimizer);
        using var average = options.EmaDecay is { } decay ? new WeightAverage(trained, checkpoint.Network, decay) : null;
        return trainer.Loop(run, data, trained, average, optimizer, state, device, cancellation,
            restartsOptimizer ? Checkpoint.OptimizerRestartNote(run.LastModel) : null);
    }

    /// <summary>
    /// Adam as Keras configures it (eps 1e-7); AdamW when weight decay is set. Parameters that <see cref="FineTuning"/>
    /// freezes are left out; the backbone's get <see cref="TrainOptions.EffectiveBackboneLrScale"/> times the rate.
    /// </summary>
    private AdamOptimizer CreateOptimizer(nn.Module<Tensor, Tensor> model) => CreateOptimizer(model, options);

    /// <summary>The optimizer a run with <paramref name="options"/> trains <paramref name="model"/> with.</summary>
    internal static AdamOptimizer CreateOptimizer(nn.Module<Tensor, Tensor> model, TrainOptions options)
    {
        var trained = FineTuning.Parameters(model, options);
        var scales = options.Network.Head is null ? null : trained.Select(p => p.Scale).ToList();
        return new AdamOptimizer(trained.Select(p => p.Parameter), options.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7,
            weightDecay: options.WeightDecay, learningRateScales: scales);
    }

    private TrainResult Loop(RunFolder run, (Dataset Train, Dataset Validation, string Source) data, nn.Module<Tensor, Tensor> model,
        WeightAverage? average, AdamOptimizer optimizer, TrainingState state, Device device, CancellationToken cancellation,
        string? weightsNote = null)
    {
        // The network that is validated and saved as the run's model: the weight average when there is one.
        var evaluated = average?.Network ?? model;
        MixedPrecision.Apply(model, options.Precision);
        MixedPrecision.Apply(evaluated, options.Precision);
        var (trainSet, validationSet, source) = data;
        var preprocessing = options.Preprocessing;
        var classNames = trainSet.ClassNames;
        var skipped = new SkippedImages();
        skipped.Skipped += observer.OnImageSkipped;
        var decoder = new ImageDecoder(preprocessing, options.MaxPixels);
        var budget = CacheBudget.For(options.Cache);
        // Under --resize crop training decodes the larger square and cuts a window of it each epoch (FineTuning.TrainingCrop).
        var trainDecoder = new ImageDecoder(preprocessing, options.MaxPixels) { KeepsCropMargin = true };
        var trainLoader = new BatchLoader(trainSet.Images, trainDecoder, Cache(trainSet, budget), skipped) { Strict = options.Strict };
        var validationLoader = new BatchLoader(validationSet.Images, decoder, Cache(validationSet, budget), skipped) { Strict = options.Strict };
        var classWeights = options.ClassWeight == ClassWeighting.Balanced ? TrainingLoss.BalancedWeights(trainSet.ClassCounts()) : null;
        using var loss = new TrainingLoss(options.LabelSmoothing, classWeights, device);
        var augmenter = new Augmenter(options.Augment);
        var features = (options.Freeze == FreezeMode.Backbone || options.FreezeEpochs > 0) && !options.Augment.Any && options.Cache != CacheMode.None
                       && options.Network.Head is { } head
            ? new FeatureCache(trainSet.Images, MixedPrecision.Apply(NetworkHead.Module(model, head), options.Precision), budget)
            : null;

        observer.OnTrainingStarted(new TrainingStarted(run, trainSet, validationSet, source,
            options.Network.SummaryOf(model, classNames.Count, preprocessing.ImageSize), options, get_num_threads(), budget.Bytes,
            state.CompletedEpochs, classWeights) { WeightsNote = weightsNote });
        if (state.CompletedEpochs > 0) HistoryCsv.Write(run.History, state.History);

        for (int epoch = state.CompletedEpochs + 1; epoch <= options.Epochs && !state.StoppedEarly; epoch++)
        {
            // Cancelled at an epoch boundary: last.cls already holds this position.
            cancellation.ThrowIfCancellationRequested();
            double learningRate = LearningRates.For(options, epoch, state.PlateauScale);
            optimizer.LearningRate = learningRate;

            var partial = state.Partial?.Epoch == epoch ? state.Partial : null;
            var clock = Stopwatch.StartNew();
            // Past --freeze-epochs the backbone trains and its features change: the cache has done its work.
            if (!options.BackboneFrozenIn(epoch)) features = null;
            var trained = TrainEpoch(model, average, optimizer, loss, augmenter, trainLoader, features, epoch, partial, device, cancellation);
            // Training and validation use buffers of different sizes; each phase's free blocks go back to the system
            // before the other starts, so the heap does not hold both phases' worth (see NativeHeap).
            NativeHeap.ReleaseFreeMemory();
            EvaluationResult validation;
            try
            {
                cancellation.ThrowIfCancellationRequested();
                validation = Evaluator.Evaluate(evaluated, validationLoader, classNames, preprocessing,
                    ValidationBatchSize(options), cancellation: cancellation, device: device,
                    augmentation: options.TestTimeAugmentation);
                NativeHeap.ReleaseFreeMemory();
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                SaveInterrupted(run, evaluated, model, optimizer, classNames, state, trained);
                throw;
            }
            if (trained.Seen == 0)
                throw new ClassifierException($"No training image in '{trainSet.Root}' could be read; see the warnings above.");
            if (validation.Images == 0 && validationSet.Images.Count > 0)
                throw new ClassifierException(
                    $"None of the {validationSet.Images.Count} validation images ({validationSet.Root}) could be read, so no epoch can be judged; see the warnings above. Replace them or give another --val.");

            var row = new HistoryRow(epoch, (double)trained.Correct / trained.Seen, trained.LossSum / trained.Seen,
                validation.Accuracy, validation.Loss, learningRate, (partial?.Seconds ?? 0) + clock.Elapsed.TotalSeconds);
            (state, bool isBest) = EpochBookkeeping.After(state, row, options);
            HistoryCsv.Write(run.History, state.History);
            var info = Info(classNames, epoch, row);
            // The run's end: unless --keep-optimizer, the checkpoint keeps the model and the run's position, not Adam's moments.
            bool ended = epoch == options.Epochs || state.StoppedEarly;
            Checkpoint.Save(run.LastModel, evaluated, optimizer, info, state, trained: model, resumable: !ended || options.KeepOptimizer);
            if (isBest) ModelFile.Save(run.BestModel, evaluated, info);
            observer.OnEpochCompleted(row, isBest);
        }

        CurvesPlot.SaveFromHistory(run.History, run.Curves);
        if (skipped.Count > 0) SkippedCsv.Write(run.Skipped, skipped.All);
        return new TrainResult(run, state.History, state.BestEpoch, skipped.Count, state.StoppedEarly && state.CompletedEpochs < options.Epochs,
            options, trainSet, validationSet);
    }

    /// <summary>
    /// One pass over the training images. Returns the epoch's running sums; when cancelled between batches it
    /// returns early with <see cref="PartialEpoch.Batches"/> below the epoch's count and the RNG state to resume from.
    /// </summary>
    private PartialEpoch TrainEpoch(nn.Module<Tensor, Tensor> model, WeightAverage? average, AdamOptimizer optimizer, TrainingLoss loss, Augmenter augmenter,
        BatchLoader loader, FeatureCache? features, int epoch, PartialEpoch? resumeFrom, Device device, CancellationToken cancellation)
    {
        // Seeding from (seed, epoch) makes each epoch's shuffle, dropout and augmentation independent of earlier
        // epochs, so a run resumed at an epoch boundary continues exactly as an uninterrupted one; inside an epoch
        // the saved generator state takes over.
        long epochSeed = EpochSeed(options.Seed, epoch);
        manual_seed(epochSeed);
        var order = Enumerable.Range(0, loader.ImageCount).ToArray();
        new Random(unchecked((int)epochSeed)).Shuffle(order);
        int batches = (order.Length + options.BatchSize - 1) / options.BatchSize;
        var progress = resumeFrom ?? new PartialEpoch(epoch, 0, 0, 0, 0, 0, []);
        if (resumeFrom is not null)
            using (var rng = tensor(resumeFrom.RngState, dtype: ScalarType.Byte)) random.set_rng_state(rng);

        var preprocessing = options.Preprocessing;
        model.train();
        FineTuning.SetModes(model, options, epoch);
        bool batchNormTrains = FineTuning.BatchNormTrains(model);
        var clock = Stopwatch.StartNew();
        double lossSum = progress.LossSum;
        long correct = progress.Correct, seen = progress.Seen;
        int batchNumber = progress.Batches;
        var remaining = order[Math.Min(order.Length, batchNumber * options.BatchSize)..];
        // With a frozen backbone whose features are all cached, the epoch runs the head alone and reads no image.
        bool cached = features is not null && features.Covers(remaining);
        int[] current = [];
        using var recording = features is not null && !cached ? features.Record(() => current) : null;
        var pacing = new FinalizerPacing();
        try
        {
            foreach (var batch in cached ? CachedBatches(remaining) : loader.Read(remaining, options.BatchSize, cancellation, FineTuning.TrainingCrop(options, epoch, epochSeed)))
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
                    optimizer.ZeroGrad();
                    current = batch.Indices;
                    Tensor logits, labels;
                    if (cached)
                    {
                        logits = features!.Head(features.Features(batch.Indices).to(device));                      // [N, classes]
                        labels = BatchTensors.Labels(batch).to(device);                                             // [N]
                    }
                    else
                    {
                        var input = BatchTensors.Input(batch, preprocessing, augmenter.Options.Any ? augmenter.Apply : null, device); // [N, 3, H, W]
                        logits = model.call(input);                                                             // [N, classes]
                        labels = BatchTensors.Labels(batch).to(device);                                             // [N]
                    }
                    float lossValue = Step(logits, labels, loss, optimizer);
                    if (!float.IsFinite(lossValue))
                        throw new ClassifierException(
                            $"Training stopped: the loss became {lossValue} at epoch {epoch}, batch {batchNumber + 1}. " +
                            // A checkpoint is written at the end of every epoch, so one exists from the second epoch on or when resuming.
                            (epoch > 1 || resumeFrom is not null ? "The last good checkpoint stays in the run folder; try" : "No checkpoint was saved yet; try") +
                            " a lower --learning-rate.");
                    average?.Update(optimizer.Steps);
                    lossSum += (double)lossValue * batch.Count;
                    correct += logits.argmax(1).eq(labels).sum().item<long>();
                    seen += batch.Count;
                }
                pacing.AfterBatch();
                batchNumber++;
                double elapsed = clock.Elapsed.TotalSeconds;
                double rate = (seen - progress.Seen) / Math.Max(elapsed, 1e-9);
                observer.OnBatchCompleted(new BatchProgress(epoch, options.Epochs, batchNumber, batches,
                    lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), rate,
                    (order.Length - Math.Min(order.Length, batchNumber * options.BatchSize)) / Math.Max(rate, 1e-9)));
                if (cancellation.IsCancellationRequested) break;
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Stopped while waiting for a batch: the position is still a batch boundary.
        }
        return new PartialEpoch(epoch, batchNumber, lossSum, correct, seen, progress.Seconds + clock.Elapsed.TotalSeconds, RngState());

        // Batches of indices only (no pixels): the cached path reads features and labels by index.
        IEnumerable<Batch> CachedBatches(int[] indices)
        {
            for (int start = 0; start < indices.Length; start += options.BatchSize)
            {
                var ids = indices[start..Math.Min(indices.Length, start + options.BatchSize)];
                yield return Batch.WithoutPixels(features!.Labels(ids), ids);
            }
        }
    }

    /// <summary>
    /// The optimizer step of one batch, shared by training and <see cref="LearningRateFinder"/>: the mean loss of
    /// <paramref name="logits"/> [N, classes] against <paramref name="labels"/> [N], backward, one Adam step. A loss
    /// that is not finite is returned without stepping, for the caller to stop on.
    /// </summary>
    internal static float Step(Tensor logits, Tensor labels, TrainingLoss loss, AdamOptimizer optimizer)
    {
        var batchLoss = loss.Compute(logits, labels);
        float lossValue = batchLoss.item<float>();
        if (!float.IsFinite(lossValue)) return lossValue;
        batchLoss.backward();
        optimizer.Step();
        return lossValue;
    }

    private void SaveInterrupted(RunFolder run, nn.Module<Tensor, Tensor> evaluated, nn.Module<Tensor, Tensor> model, AdamOptimizer optimizer,
        IReadOnlyList<string> classNames, TrainingState state, PartialEpoch partial)
    {
        var last = state.History.Count > 0 ? state.History[^1] : null;
        var info = Info(classNames, state.CompletedEpochs, last);
        Checkpoint.Save(run.LastModel, evaluated, optimizer, info, state with { Partial = partial }, trained: model);
        if (state.History.Count > 0) CurvesPlot.SaveFromHistory(run.History, run.Curves);
    }

    private static byte[] RngState()
    {
        using var state = random.get_rng_state();
        return state.data<byte>().ToArray();
    }

    private ModelInfo Info(IReadOnlyList<string> classNames, int epoch, HistoryRow? row) =>
        new(options.Model, classNames, options.Preprocessing, epoch,
            row is null
                ? new Dictionary<string, double>()
                : new Dictionary<string, double>
                {
                    ["accuracy"] = row.Accuracy, ["loss"] = row.Loss,
                    ["val_accuracy"] = row.ValAccuracy, ["val_loss"] = row.ValLoss,
                },
            ToolInfo.Version, TorchRuntime.TorchSharpVersion, DateTime.UtcNow)
        {
            TestTimeAugmentation = options.TestTimeAugmentation,
            Precision = options.Precision,
            Hyperparameters = new NetworkHyperparameters(classNames.Count, options.Preprocessing.ImageSize),
            Weights = _startingWeights?.Name
                      ?? (options.Weights is { } from ? Path.GetFileName(Path.TrimEndingDirectorySeparator(from)) : null),
            WeightsFile = _startingWeights?.FileName,
            WeightsSha256 = _startingWeights?.Sha256,
        };

    /// <summary>A seed for one epoch, derived from the run seed without process-randomised hashing.</summary>
    internal static long EpochSeed(int seed, int epoch) => (long)seed * 1_000_003L + epoch;

    private PixelCache? Cache(Dataset dataset, CacheBudget budget) =>
        options.Cache == CacheMode.None ? null : new PixelCache(dataset.Images.Count, budget);
}
