using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Model.Zoo;

namespace Classifier.Core.Training;

/// <summary>
/// Everything that defines a training run. Defaults are the seed recipe (Keras' <c>flow_from_directory</c> + the
/// seed CNN + Adam). Each property is described once in <see cref="TrainOptionTable"/> (flag, help, group, resume
/// rule), which also gives its key in config files and <c>options.json</c> (see <see cref="TrainOptionsFile"/>).
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Data folder: one sub-folder per class (or train/ and val/ folders that each have them).</summary>
    public string DataDir { get; init; } = "";

    /// <summary>Separate validation folder with the same class sub-folders; null to split or auto-detect.</summary>
    public string? ValidationDir { get; init; }

    /// <summary>Fraction of each class held out for validation when no validation folder is used.</summary>
    public double? ValidationSplit { get; init; }

    /// <summary>Network architecture, a name from the model zoo (<c>classify models</c>).</summary>
    public string Model { get; init; } = NetworkRegistry.DefaultName;

    /// <summary>
    /// Starting weights: null for random initialisation, <c>imagenet</c> for the built-in pretrained weights of the
    /// models that have them, a torchvision-layout state dict file (.pth/.pt or .safetensors), or a run folder or
    /// <c>.cls</c> model file classify trained (see <see cref="Model.Zoo.StartingWeights"/>).
    /// </summary>
    public string? Weights { get; init; }

    /// <summary>What training leaves unchanged; null for the default (see <see cref="EffectiveFreeze"/>).</summary>
    public FreezeMode? Freeze { get; init; }

    /// <summary>
    /// Learning rate of the backbone relative to the head (discriminative learning rates); null for the default:
    /// 0.1 when starting from pretrained weights, 1 from scratch.
    /// </summary>
    public double? BackboneLrScale { get; init; }

    /// <summary>
    /// fastai's <c>fine_tune</c>: the first this many epochs train the head alone (as <see cref="FreezeMode.Backbone"/>,
    /// features cached), the rest the whole network at half the rate, the backbone at <see cref="EffectiveBackboneLrScale"/>
    /// of that, with the batch-norm statistics kept unless <see cref="Freeze"/> is given (see <see cref="EffectiveFreeze"/>).
    /// 0 trains as <see cref="Freeze"/> says throughout.
    /// </summary>
    public int FreezeEpochs { get; init; }

    /// <summary>How an image that is not square becomes the square network input; null for the model's default.</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary>Side of the square network input, in pixels; null for the model's default.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Resize filter; null for the model's (nearest for seed-cnn, bilinear for torchvision networks).</summary>
    public Interpolation? Interpolation { get; init; }

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Base step size of Adam (AdamW when weight decay is set).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seed for weight initialisation, dropout, shuffling, augmentation and the validation split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Intra-op threads for libtorch; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Run folder; null for the next free <c>runs/train-NNN</c>.</summary>
    public string? OutputDir { get; init; }

    /// <summary>Whether decoded images are cached in memory between epochs.</summary>
    public CacheMode Cache { get; init; } = CacheMode.Auto;

    /// <summary>Largest width x height of an image file that is decoded.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Metric that picks best.cls, early stopping and the plateau schedule.</summary>
    public MonitorMetric Monitor { get; init; } = MonitorMetric.ValLoss;

    /// <summary>Stop after this many epochs without improvement of the monitored metric; null never stops early.</summary>
    public int? Patience { get; init; }

    /// <summary>Smallest change of the monitored metric that counts as an improvement for early stopping and plateau.</summary>
    public double MinDelta { get; init; }

    /// <summary>Learning-rate schedule after warm-up; null for the default (see <see cref="EffectiveLrSchedule"/>).</summary>
    public LearningRateSchedule? LrSchedule { get; init; }

    /// <summary>Epochs of linear warm-up at the start.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Plateau schedule: epochs without improvement before the rate is reduced.</summary>
    public int PlateauPatience { get; init; } = 2;

    /// <summary>Plateau schedule: factor applied to the rate at each reduction.</summary>
    public double PlateauFactor { get; init; } = 0.1;

    /// <summary>Lower bound of the rate for the cosine and plateau schedules.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Label smoothing of the training loss (0 = none).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Decoupled weight decay (AdamW); 0 uses plain Adam.</summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// Decay per step of an exponential moving average of the weights, which is then the network validated and saved
    /// (see <see cref="WeightAverage"/>); null trains without one.
    /// </summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Test-time augmentation of validation (<c>--tta</c>); recorded in the saved models, so <c>eval</c> and
    /// <c>predict</c> use it too.
    /// </summary>
    public Classifier.Core.Model.TestTimeAugmentation TestTimeAugmentation { get; init; }

    /// <summary>Per-class weighting of the training loss.</summary>
    public ClassWeighting ClassWeight { get; init; } = ClassWeighting.None;

    /// <summary>On-the-fly augmentation of training images.</summary>
    public AugmentOptions Augment { get; init; } = new();

    /// <summary>
    /// Keep the optimizer state in <c>last.cls</c> when the run ends (<c>--keep-optimizer</c>), so that extending it
    /// (<c>--resume RUN --epochs N</c>) continues exactly as one longer run. Without it the finished run's last.cls holds
    /// the final weights and the run's position only, a third of the size (Adam's two moments are twice the weights);
    /// extending it then starts the moments again from zero. A run stopped before its end always keeps the full checkpoint.
    /// </summary>
    public bool KeepOptimizer { get; init; }

    /// <summary>Where the network runs (<c>--device</c>); resolved by <see cref="Torch.DeviceSelection"/>.</summary>
    public Torch.ComputeDevice Device { get; init; } = Torch.ComputeDevice.Auto;

    /// <summary>
    /// Arithmetic of the network (<c>--precision</c>): auto is resolved when the run starts
    /// (<see cref="Torch.MixedPrecision.Resolve"/>) and options.json records fp32 or bf16, which resume honours.
    /// </summary>
    public Torch.Precision Precision { get; init; } = Torch.Precision.Auto;

    /// <summary>Stop at the first image that cannot be read instead of skipping it (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>The architecture these options train.</summary>
    public NetworkSpec Network => NetworkRegistry.Get(Model);

    /// <summary>
    /// The preprocessing these options imply: the model's, at the given size, filter and resize mode (by default the
    /// one the starting weights were trained with, see <see cref="NetworkSpec.PretrainedResize"/>; squash from scratch).
    /// </summary>
    public Preprocessing Preprocessing
    {
        get
        {
            var preprocessing = Network.Preprocessing(ImageSize ?? Network.DefaultImageSize);
            var resize = Resize ?? (Weights is null || ClassifyModelWeights.Matches(Weights) ? ResizeMode.Squash : Network.PretrainedResize);
            if (resize != ResizeMode.Squash) preprocessing = preprocessing with { Resize = resize };
            return Interpolation is { } filter ? preprocessing with { Interpolation = filter } : preprocessing;
        }
    }

    /// <summary>
    /// What training leaves unchanged in effect: <see cref="Freeze"/> when given, else <see cref="FreezeMode.BatchNorm"/>
    /// after <see cref="FreezeEpochs"/> and <see cref="FreezeMode.None"/> otherwise. After a frozen phase the head has
    /// been fitted to features computed with the starting weights' batch-norm statistics (the backbone ran in eval mode);
    /// letting batch norm switch to batch statistics when the backbone unfreezes shifts those features under the head,
    /// so the statistics stay frozen, as Keras' fine-tuning guide prescribes (keep batch-norm layers in inference mode
    /// when unfreezing). Their scale and shift still train.
    /// </summary>
    public FreezeMode EffectiveFreeze => Freeze ?? (FreezeEpochs > 0 ? FreezeMode.BatchNorm : FreezeMode.None);

    /// <summary>
    /// The learning-rate schedule in effect: <see cref="LrSchedule"/> when given, else <see cref="LearningRateSchedule.Cosine"/>
    /// with <see cref="FreezeEpochs"/> and <see cref="LearningRateSchedule.Constant"/> otherwise. fastai's <c>fine_tune</c>
    /// trains its unfrozen epochs with <c>fit_one_cycle</c>, which anneals the rate to almost zero by the last step; the
    /// per-epoch cosine anneals likewise over the run (the frozen epochs come first, at its top).
    /// </summary>
    public LearningRateSchedule EffectiveLrSchedule => LrSchedule ?? (FreezeEpochs > 0 ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant);

    /// <summary>The backbone's learning-rate factor in effect (<see cref="BackboneLrScale"/> or its default).</summary>
    public double EffectiveBackboneLrScale => BackboneLrScale ?? (Weights is null ? 1.0 : 0.1);

    /// <summary>Whether the backbone is frozen in <paramref name="epoch"/> (1-based): always with <c>--freeze backbone</c>, else in the first <see cref="FreezeEpochs"/>.</summary>
    public bool BackboneFrozenIn(int epoch) => Freeze == FreezeMode.Backbone || epoch <= FreezeEpochs;

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        TrainOptionTable.CheckFinite(this);
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ClassifierException("No data folder: give DATA_DIR (or \"data\" in the --config file).");
        if (Epochs < 1) throw new ClassifierException($"--epochs {Epochs}: give at least 1.");
        if (BatchSize < 1) throw new ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ClassifierException($"--learning-rate {LearningRate}: give a positive number such as 0.001.");
        var network = Network;
        if (ImageSize is { } size && !network.Accepts(size))
            throw new ClassifierException($"--image-size {size}: {network.Name} takes {network.AcceptedSizes}.");
        if (BackboneLrScale is { } scale && (!(scale >= 0) || scale > 1e3))
            throw new ClassifierException($"--backbone-lr-scale {scale}: give a factor from 0 (backbone fixed) to 1 (same rate as the head), e.g. 0.1.");
        if (Freeze == FreezeMode.Backbone && network.Head is null)
            throw new ClassifierException($"--freeze backbone: {network.Name} has no separate head to train alone; choose a torchvision model (see classify models).");
        if (Freeze == FreezeMode.Backbone && BackboneLrScale is not null)
            throw new ClassifierException("--backbone-lr-scale with --freeze backbone: a frozen backbone does not train; give one of them.");
        if (FreezeEpochs < 0) throw new ClassifierException($"--freeze-epochs {FreezeEpochs}: give 0 or more.");
        if (FreezeEpochs > 0 && network.Head is null)
            throw new ClassifierException($"--freeze-epochs {FreezeEpochs}: {network.Name} has no separate head to train alone; choose a torchvision model (see classify models).");
        if (FreezeEpochs > 0 && Freeze == FreezeMode.Backbone)
            throw new ClassifierException($"--freeze-epochs with --freeze backbone: the backbone is then frozen in every epoch; give one of them.");
        if (FreezeEpochs > 0 && FreezeEpochs >= Epochs)
            throw new ClassifierException($"--freeze-epochs {FreezeEpochs}: give fewer than --epochs ({Epochs}), which counts the frozen epochs too; the rest train the whole network.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
        if (ValidationSplit is { } f && f is <= 0 or >= 1)
            throw new ClassifierException($"--validation-split {f}: give a fraction between 0 and 1, e.g. 0.2.");
        if (ValidationDir is not null && ValidationSplit is not null)
            throw new ClassifierException("--val and --validation-split both given: use one way to choose validation images.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
        if (Patience is < 1) throw new ClassifierException($"--patience {Patience}: give at least 1 (or leave it out to never stop early).");
        if (MinDelta < 0) throw new ClassifierException($"--min-delta {MinDelta}: give 0 or a positive number.");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs)
            throw new ClassifierException($"--warmup-epochs {WarmupEpochs}: give 0 or fewer than --epochs ({Epochs}).");
        if (PlateauPatience < 1) throw new ClassifierException($"--plateau-patience {PlateauPatience}: give at least 1.");
        if (PlateauFactor is <= 0 or >= 1) throw new ClassifierException($"--plateau-factor {PlateauFactor}: give a factor between 0 and 1, e.g. 0.1.");
        if (MinLearningRate < 0 || MinLearningRate > LearningRate)
            throw new ClassifierException($"--min-learning-rate {MinLearningRate}: give 0 or a rate below --learning-rate.");
        if (LabelSmoothing is < 0 or >= 1) throw new ClassifierException($"--label-smoothing {LabelSmoothing}: give a value from 0 to below 1, e.g. 0.1.");
        if (WeightDecay < 0) throw new ClassifierException($"--weight-decay {WeightDecay}: give 0 or a positive number such as 0.0001.");
        if (EmaDecay is { } d && (!(d > 0) || d >= 1))
            throw new ClassifierException($"--ema-decay {d}: give a decay between 0 and 1, e.g. 0.999 (or leave it out for no average).");
        Augment.Validate();
    }
}
