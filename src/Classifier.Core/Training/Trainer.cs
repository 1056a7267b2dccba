using Classifier.Core.Data;
using Classifier.Core.Evaluation;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// Starts a run, new or resumed, and hands it to the one training loop (<see cref="TrainingLoop"/>: seeded shuffling
/// and augmentation each epoch, one dispose scope per batch, validation through the <see cref="Evaluator"/>, history
/// and checkpoints after every epoch, curves drawn from history.csv at the end). <see cref="Run"/> and
/// <see cref="Resume"/> differ only in where the loop's <see cref="RunStart"/> comes from: the options, or last.cls.
/// </summary>
public sealed class Trainer(TrainOptions options, ITrainingObserver observer)
{
    /// <summary>
    /// Images per validation batch of a run with <paramref name="options"/>, during training and after it: the training
    /// batch size. A larger validation batch holds more activations at once and would make validation, rather than the
    /// training step, set the run's peak memory (docs/performance.md, "Memory at 224 px").
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
        var startingWeights = options.Weights is { } requested && !WeightsSource.IsClassifyModel(requested)
            ? PretrainedWeights.Prepare(requested, options.Network, WeightsFetchSettings.FromEnvironment, observer.OnWeightsDownload, cancellation)
            : null;
        var device = StartTorch(options);
        // From here on the run's precision is fp32 or bf16, as options.json, the model files and resume see it.
        options = options with { Precision = MixedPrecision.Resolve(options.Precision, options.Network.MixedPrecisionByDefault, device, options.Preprocessing.ImageSize) };
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
        using var model = spec.Create(classes, preprocessing.ImageSize);
        // A model classify trained copies its layers (the head too when the classes match); other weights were prepared above.
        var weightsNote = options.Weights is not { } weights ? null
            : startingWeights is { } prepared ? PretrainedWeights.Load(prepared, spec, model)
            : ClassifyModelWeights.Load(weights, spec, model, data.Train.ClassNames);
        model.to(device); // before the optimizer takes the parameters
        using var optimizer = CreateOptimizer(model, options);
        using var average = options.EmaDecay is { } decay
            ? new WeightAverage(model, () => spec.Create(classes, preprocessing.ImageSize), decay)
            : null;
        return Train(options, new RunStart(run, data, model, average, optimizer, new TrainingState(), device, startingWeights, weightsNote),
            observer, cancellation);
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
        var device = StartTorch(options);
        MixedPrecision.Resolve(options.Precision, options.Network.MixedPrecisionByDefault, device);   // bf16 on a GPU is refused, naming --precision

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
        // With a weight average the checkpoint's model is the average; the optimizer's network is stored beside it.
        var trained = Checkpoint.TrainedNetwork(run.LastModel, checkpoint, averaged: options.EmaDecay is not null);
        using var ownTrained = ReferenceEquals(trained, checkpoint.Network) ? null : trained;
        trained.to(device);
        using var optimizer = CreateOptimizer(trained, options);
        // A finished run's last.cls keeps no optimizer state unless --keep-optimizer: extending it restarts Adam.
        bool restartsOptimizer = Checkpoint.KeptNoOptimizer(checkpoint);
        if (!restartsOptimizer) Checkpoint.RestoreOptimizer(run.LastModel, checkpoint, optimizer);
        using var average = options.EmaDecay is { } decay ? new WeightAverage(trained, checkpoint.Network, decay) : null;
        return Train(options, new RunStart(run, data, trained, average, optimizer, state, device, StartingWeights.Recorded(checkpoint.Info),
            restartsOptimizer ? Checkpoint.OptimizerRestartNote(run.LastModel) : null), observer, cancellation);
    }

    /// <summary>
    /// libtorch set up for a run with <paramref name="options"/> (threads, and oneDNN's kernels kept off where a network
    /// needs that); returns the device the run trains on.
    /// </summary>
    private static Device StartTorch(TrainOptions options)
    {
        TorchRuntime.Initialize(options.Threads);
        if (options.Network.TrainsOnlyWithKnownCpuCaches) OneDnnSafety.AvoidBrgemmWhereCacheSizesAreUnknown();
        return DeviceSelection.Resolve(options.Device);
    }

    private static TrainResult Train(TrainOptions options, RunStart start, ITrainingObserver observer, CancellationToken cancellation)
    {
        using var loop = new TrainingLoop(options, start, observer, cancellation);
        return loop.Run();
    }

    /// <summary>
    /// The optimizer a run with <paramref name="options"/> trains <paramref name="model"/> with: Adam as Keras configures
    /// it (eps 1e-7); AdamW when weight decay is set. Parameters that <see cref="FineTuning"/> freezes are left out; the
    /// backbone's get <see cref="TrainOptions.EffectiveBackboneLrScale"/> times the rate.
    /// </summary>
    internal static AdamOptimizer CreateOptimizer(nn.Module<Tensor, Tensor> model, TrainOptions options)
    {
        var trained = FineTuning.Parameters(model, options);
        var scales = options.Network.Head is null ? null : trained.Select(p => p.Scale).ToList();
        return new AdamOptimizer(trained.Select(p => p.Parameter), options.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7,
            weightDecay: options.WeightDecay, learningRateScales: scales);
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

    /// <summary>A seed for one epoch, derived from the run seed without process-randomised hashing.</summary>
    internal static long EpochSeed(int seed, int epoch) => (long)seed * 1_000_003L + epoch;
}
