using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Options;
using Classifier.Core.Torch;

namespace Classifier.Core.Training;

/// <summary>
/// Every <c>classify train</c> option, described once. This table drives the command line (the CLI builds its
/// options from it), <c>--config</c> files and <c>options.json</c> (<see cref="TrainOptionsFile"/>), what
/// <c>--resume</c> accepts, the grouped <c>--help</c> and the README's options reference (a test compares them).
/// Adding an option is one <see cref="TrainOptions"/> property and one entry here; defaults come from the property.
/// Entries are in help order: by <see cref="OptionGroup"/>, the common ones first.
/// </summary>
public static class TrainOptionTable
{
    /// <summary>All options, in help order.</summary>
    public static IReadOnlyList<TrainOption> All { get; } =
    [
        // Data
        Bind(Data, "data", OptionKind.Text, "Folder with one sub-folder of images per class (or with train/ and val/ folders that each have them).",
            o => o.DataDir, (o, v) => o with { DataDir = v! }) with { IsArgument = true, ValueName = "DATA_DIR", DefaultText = "" },
        Bind(Data, "val", OptionKind.Text, "Validation folder with the same class sub-folders.",
            o => o.ValidationDir, (o, v) => o with { ValidationDir = v }) with { ValueName = "DIR", DefaultText = "" },
        Bind(Data, "validation-split", OptionKind.Double,
            $"Hold out this fraction of each class for validation (seeded; {TrainingData.DefaultValidationSplit} when no validation folder is found).",
            o => o.ValidationSplit, (o, v) => o with { ValidationSplit = v }) with { ValueName = "F", DefaultText = "auto" },
        Bind(Data, "cache", OptionKind.Choice<CacheMode>(), "Keep decoded images in memory between epochs (auto: up to a quarter of RAM).",
            o => o.Cache, (o, v) => o with { Cache = v }),
        Bind(Data, "max-pixels", OptionKind.Long, "Refuse image files larger than this many pixels (width x height).",
            o => o.MaxPixels, (o, v) => o with { MaxPixels = v }),
        Bind(Data, "strict", OptionKind.Flag, "Stop at the first image that cannot be read, naming it, instead of skipping it.",
            o => o.Strict, (o, v) => o with { Strict = v }),

        // Model
        Bind(Model, "model", OptionKind.OneOf(NetworkRegistry.Names), "Network from the model zoo (see classify models).",
            o => o.Model, (o, v) => o with { Model = v }) with { Aliases = ["-m"] },
        Bind(Model, "weights", OptionKind.Text,
            "Starting weights: imagenet (torchvision's DEFAULT ImageNet weights, from PyTorch's cache or downloaded into it; imagenet1k-v1 or imagenet1k-v2 picks one; built in for resnet18-cntk), a torchvision state dict file (.pth/.pt as torch.save writes it, or .safetensors), or a run folder or .cls model classify trained (its classifier replaced when the classes differ).",
            o => o.Weights, (o, v) => o with { Weights = v }) with { ValueName = "FILE", DefaultText = "random" },
        Bind(Model, "freeze", OptionKind.Choice<FreezeMode>(),
            "none trains everything; batch_norm keeps the batch-norm statistics; backbone trains the head only (its features cached when there is no augmentation).",
            o => o.Freeze, (o, v) => o with { Freeze = v }) with { DefaultText = "none; batch_norm with --freeze-epochs" },
        Bind(Model, "backbone-lr-scale", OptionKind.Double, "Backbone learning rate as a fraction of --learning-rate (discriminative rates).",
            o => o.BackboneLrScale, (o, v) => o with { BackboneLrScale = v }) with { ValueName = "F", DefaultText = "0.1 with --weights, else 1" },
        Bind(Model, "freeze-epochs", OptionKind.Int,
            "Train the head alone for the first N of --epochs (backbone frozen, features cached), then the whole network at half the rate, batch-norm statistics kept (fastai's fine_tune).",
            o => o.FreezeEpochs, (o, v) => o with { FreezeEpochs = v }) with { ValueName = "N" },
        Bind(Model, "resize", OptionKind.Choice<ResizeMode>(),
            "How images that are not square are fitted: squash stretches, crop keeps the centre (torchvision's size/0.875 then centre crop; training takes a random crop of that scale), pad letterboxes on black.",
            o => o.Resize, (o, v) => o with { Resize = v }) with { DefaultText = "the model's" },
        Bind(Model, "image-size", OptionKind.Int, "Side of the square network input, in pixels.",
            o => o.ImageSize, (o, v) => o with { ImageSize = v }) with { ValueName = "PX", DefaultText = "the model's, 224" },
        Bind(Model, "interpolation", OptionKind.Choice<Interpolation>(), "Resize filter.",
            o => o.Interpolation, (o, v) => o with { Interpolation = v }) with { DefaultText = "the model's" },

        // Training
        Bind(Training, "epochs", OptionKind.Int, "Passes over the training data (with --resume: the new total).",
            o => o.Epochs, (o, v) => o with { Epochs = v }) with { Aliases = ["-e"], Resumable = true },
        Bind(Training, "batch-size", OptionKind.Int, "Images per optimizer step.",
            o => o.BatchSize, (o, v) => o with { BatchSize = v }) with { Aliases = ["-b"] },
        Bind(Training, "learning-rate", OptionKind.Double, "Adam learning rate (the base rate of a schedule).",
            o => o.LearningRate, (o, v) => o with { LearningRate = v }) with { Aliases = ["--lr"], ValueName = "RATE" },
        Bind(Training, "lr-schedule", OptionKind.Choice<LearningRateSchedule>(), "Learning-rate schedule after warm-up.",
            o => o.LrSchedule, (o, v) => o with { LrSchedule = v }) with { DefaultText = "constant; cosine with --freeze-epochs" },
        Bind(Training, "warmup-epochs", OptionKind.Int, "Epochs of linear learning-rate warm-up.",
            o => o.WarmupEpochs, (o, v) => o with { WarmupEpochs = v }),
        Bind(Training, "monitor", OptionKind.Choice<MonitorMetric>(), "Metric that picks best.cls, early stopping and the plateau schedule.",
            o => o.Monitor, (o, v) => o with { Monitor = v }),
        Bind(Training, "patience", OptionKind.Int, "Stop after this many epochs without improvement.",
            o => o.Patience, (o, v) => o with { Patience = v }) with { DefaultText = "never stop early" },
        Bind(Training, "min-delta", OptionKind.Double, "Smallest change of the monitored metric that counts as an improvement.",
            o => o.MinDelta, (o, v) => o with { MinDelta = v }) with { ValueName = "D" },
        Bind(Training, "plateau-patience", OptionKind.Int, "Plateau schedule: epochs without improvement before the rate is cut.",
            o => o.PlateauPatience, (o, v) => o with { PlateauPatience = v }),
        Bind(Training, "plateau-factor", OptionKind.Double, "Plateau schedule: factor applied to the rate at each cut.",
            o => o.PlateauFactor, (o, v) => o with { PlateauFactor = v }) with { ValueName = "F" },
        Bind(Training, "min-learning-rate", OptionKind.Double, "Floor of the cosine and plateau schedules.",
            o => o.MinLearningRate, (o, v) => o with { MinLearningRate = v }) with { ValueName = "RATE" },
        Bind(Training, "weight-decay", OptionKind.Double, "Decoupled weight decay (AdamW); 0 keeps plain Adam.",
            o => o.WeightDecay, (o, v) => o with { WeightDecay = v }) with { ValueName = "W" },
        Bind(Training, "label-smoothing", OptionKind.Double, "Label smoothing of the training loss.",
            o => o.LabelSmoothing, (o, v) => o with { LabelSmoothing = v }) with { ValueName = "S" },
        Bind(Training, "class-weight", OptionKind.Choice<ClassWeighting>(), "Weight the loss by inverse class frequency (balanced).",
            o => o.ClassWeight, (o, v) => o with { ClassWeight = v }),
        Bind(Training, "ema-decay", OptionKind.Double,
            "Keep a moving average of the weights with this decay per step (e.g. 0.999, as timm's --model-ema); validation, best.cls and the final model use the average.",
            o => o.EmaDecay, (o, v) => o with { EmaDecay = v }) with { ValueName = "D", DefaultText = "off" },
        Bind(Training, "tta", OptionKind.Choice<TestTimeAugmentation>(),
            "Test-time augmentation of validation, recorded in the model for eval and predict: horizontal_flip averages the logits of each image and its mirror image.",
            o => o.TestTimeAugmentation, (o, v) => o with { TestTimeAugmentation = v }),

        // Augmentation
        Bind(Augmentation, "horizontal-flip", OptionKind.Flag, "Flip left-right at random.",
            o => o.Augment.HorizontalFlip, (o, v) => o with { Augment = o.Augment with { HorizontalFlip = v } }),
        Bind(Augmentation, "vertical-flip", OptionKind.Flag, "Flip upside down at random.",
            o => o.Augment.VerticalFlip, (o, v) => o with { Augment = o.Augment with { VerticalFlip = v } }),
        Bind(Augmentation, "rotation-range", OptionKind.Double, "Rotate by up to this many degrees either way.",
            o => o.Augment.RotationDegrees, (o, v) => o with { Augment = o.Augment with { RotationDegrees = v } }) with { ValueName = "DEG" },
        Bind(Augmentation, "width-shift-range", OptionKind.Double, "Shift by up to this fraction of the width.",
            o => o.Augment.WidthShift, (o, v) => o with { Augment = o.Augment with { WidthShift = v } }) with { ValueName = "F" },
        Bind(Augmentation, "height-shift-range", OptionKind.Double, "Shift by up to this fraction of the height.",
            o => o.Augment.HeightShift, (o, v) => o with { Augment = o.Augment with { HeightShift = v } }) with { ValueName = "F" },
        Bind(Augmentation, "zoom-range", OptionKind.Double, "Zoom each axis by a factor in [1-F, 1+F].",
            o => o.Augment.Zoom, (o, v) => o with { Augment = o.Augment with { Zoom = v } }) with { ValueName = "F" },
        Bind(Augmentation, "brightness-range", OptionKind.Range, "Multiply brightness by a factor in [LOW, HIGH].",
            o => o.Augment.Brightness, (o, v) => o with { Augment = o.Augment with { Brightness = v } }) with { DefaultText = "off" },
        Bind(Augmentation, "random-erasing", OptionKind.Double,
            "With this probability, fill one random rectangle (2-33% of the image) with noise, as torchvision's RandomErasing.",
            o => o.Augment.RandomErasing, (o, v) => o with { Augment = o.Augment with { RandomErasing = v } }) with { ValueName = "P" },
        Command(Augmentation, "preview-augment", OptionKind.Int,
            "Write a grid of N augmented training images to augment-preview.png (in --output, else here) and exit.") with { ValueName = "N", DefaultText = "" },

        // Output
        Bind(Output, "output", OptionKind.Text, "Run folder to create (never overwritten).",
            o => o.OutputDir, (o, v) => o with { OutputDir = v }) with { Aliases = ["-o"], ValueName = "DIR", DefaultText = "the next runs/train-NNN" },
        Bind(Output, "keep-optimizer", OptionKind.Flag,
            "Keep the optimizer state in last.cls when the run ends (3x its size), so --resume --epochs N extends it exactly as one longer run.",
            o => o.KeepOptimizer, (o, v) => o with { KeepOptimizer = v }),
        Command(Output, "log-format", OptionKind.Choice<LogFormat>(),
            "text for people; json prints one JSON object per epoch on stdout (JSON Lines).") with { Resumable = true, DefaultText = "text" },
        Command(Output, "tensorboard", OptionKind.Text, "Also write TensorBoard event files (per-epoch scalars) to DIR/<run name>.")
            with { ValueName = "DIR", Resumable = true, DefaultText = "off" },

        // Advanced
        Command(Advanced, "config", OptionKind.Text, "JSON file of train options (keys are these flag names without dashes); flags given here win.")
            with { ValueName = "FILE", DefaultText = "" },
        Command(Advanced, "resume", OptionKind.Text, "Continue the run in this folder from its last.cls, with its own options (only --epochs may change).")
            with { ValueName = "RUN_DIR", Resumable = true, DefaultText = "" },
        Bind(Advanced, "seed", OptionKind.Int, "Seed for initial weights, dropout, shuffling, augmentation and the validation split.",
            o => o.Seed, (o, v) => o with { Seed = v }),
        Bind(Advanced, "threads", OptionKind.Int, "libtorch threads (0 = one per core). Results are reproducible for the same seed and thread count.",
            o => o.Threads, (o, v) => o with { Threads = v }),
        Bind(Advanced, "device", OptionKind.Choice<ComputeDevice>(), "Where the network runs: auto (CUDA if this build and machine have it, else CPU), cpu or cuda.",
            o => o.Device, (o, v) => o with { Device = v }),
        Bind(Advanced, "precision", OptionKind.Choice<Precision>(), PrecisionHelp,
            o => o.Precision, (o, v) => o with { Precision = v }),
    ];

    /// <summary>The help of <c>--precision</c>, shared by train, eval, predict and benchmark.</summary>
    public const string PrecisionHelp =
        "Arithmetic: bf16 runs convolutions and matrix products in bfloat16 with fp32 weights, loss and optimizer state " +
        "(as torch.autocast), faster than fp32 at 224 px where the CPU has AVX512_BF16 or AMX; auto picks bf16 there for the " +
        "zoo's networks at 224 px or more, fp32 for the seed CNN, smaller images and other CPUs. Model files stay fp32.";

    /// <summary>The option named <paramref name="name"/> (the flag without dashes), or null.</summary>
    public static TrainOption? Find(string name) => All.FirstOrDefault(o => o.Name == name);

    /// <summary>The option named <paramref name="name"/>; throws when there is none (a programming error).</summary>
    public static TrainOption Get(string name) => Find(name) ?? throw new ArgumentException($"No train option '{name}'.", nameof(name));

    /// <summary>The options stored in <c>options.json</c>, in help order.</summary>
    public static IEnumerable<TrainOption> Stored => All.Where(o => o.IsStored);

    /// <summary>
    /// Throws <see cref="ClassifierException"/> naming the options in <paramref name="given"/> that <c>--resume</c>
    /// does not accept (a resumed run keeps its own options).
    /// </summary>
    public static void CheckResumable(IEnumerable<TrainOption> given)
    {
        var refused = given.Where(o => !o.Resumable).Select(o => o.Flag).ToList();
        if (refused.Count > 0)
            throw new ClassifierException(
                $"--resume continues a run with its own options; only {string.Join(", ", All.Where(o => o.Resumable && o.Name != "resume").Select(o => o.Flag))} may be given with it (not {string.Join(", ", refused)}).");
    }

    /// <summary>Throws <see cref="ClassifierException"/> when a number in <paramref name="options"/> is NaN or infinite.</summary>
    public static void CheckFinite(TrainOptions options)
    {
        foreach (var option in Stored)
        {
            var value = option.Get(options);
            if (value is double d && !double.IsFinite(d) || value is double[] range && range.Any(v => !double.IsFinite(v)))
                throw new ClassifierException($"{option.Flag} {option.Kind.Format(value!)}: give a finite number.");
        }
    }

    private const OptionGroup Data = OptionGroup.Data;
    private const OptionGroup Model = OptionGroup.Model;
    private const OptionGroup Training = OptionGroup.Training;
    private const OptionGroup Augmentation = OptionGroup.Augmentation;
    private const OptionGroup Output = OptionGroup.Output;
    private const OptionGroup Advanced = OptionGroup.Advanced;

    private static TrainOption Bind<T>(OptionGroup group, string name, OptionKind kind, string help,
        Func<TrainOptions, T> get, Func<TrainOptions, T, TrainOptions> set) =>
        new(name, group, kind, help, o => get(o), (o, v) => set(o, (T)v!));

    private static TrainOption Command(OptionGroup group, string name, OptionKind kind, string help) =>
        new(name, group, kind, help, null, null);
}
