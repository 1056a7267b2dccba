using System.CommandLine;
using System.Globalization;
using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Reporting;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify train DATA_DIR</c>: trains the seed CNN and writes a run folder; <c>--resume RUN_DIR</c> continues
/// one; <c>--config FILE</c> takes options from a JSON file (flags given on the command line win).
/// </summary>
internal static class TrainCommand
{
    private static readonly TrainOptions Defaults = new();

    public static Command Create()
    {
        var data = new Argument<string?>("DATA_DIR")
        {
            Description = "Folder with one sub-folder of images per class (or with train/ and val/ folders that each have them).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var config = new Option<string?>("--config") { Description = "JSON file of train options (keys are these flag names without dashes); flags given here win.", HelpName = "FILE" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last.cls, with its own options (only --epochs may change).", HelpName = "RUN_DIR" };
        var preview = new Option<int?>("--preview-augment") { Description = "Write a grid of N augmented training images to augment-preview.png (in --output, else here) and exit.", HelpName = "N" };

        var val = new Option<string?>("--val") { Description = "Validation folder with the same class sub-folders.", HelpName = "DIR" };
        var split = new Option<double?>("--validation-split")
        {
            Description = $"Hold out this fraction of each class for validation (seeded; {TrainingData.DefaultValidationSplit} when no validation folder is found).",
            HelpName = "F",
        };
        var model = new Option<string>("--model", "-m")
        {
            Description = "Network from the model zoo (see classify models): seed-cnn, resnet18, resnet34, resnet50, mobilenet_v2, mobilenet_v3_small, mobilenet_v3_large.",
            DefaultValueFactory = _ => Defaults.Model,
            HelpName = "NAME",
        };
        model.AcceptOnlyFromAmong([.. NetworkRegistry.Names]);
        var weights = new Option<string?>("--weights")
        {
            Description = "Starting weights: a torchvision state dict (.pth/.pt as torch.save writes it, or .safetensors), or imagenet for a model with built-in ImageNet weights. Default: random.",
            HelpName = "FILE|imagenet",
        };
        var freeze = Choice("--freeze", "none trains everything; batch_norm keeps the batch-norm statistics fixed; backbone trains the head only (features cached when there is no augmentation).", Defaults.Freeze);
        var backboneLrScale = new Option<double?>("--backbone-lr-scale")
        {
            Description = "Backbone learning rate as a fraction of --learning-rate (default: 0.1 with --weights, 1 without).",
            HelpName = "F",
        };
        var imageSize = new Option<int?>("--image-size") { Description = "Side of the square network input, in pixels (default: the model's, 224).", HelpName = "PX" };
        var interpolation = new Option<string?>("--interpolation") { Description = "Resize filter (default: the model's: nearest for seed-cnn, bilinear for torchvision networks)." };
        interpolation.AcceptOnlyFromAmong(EnumValues.Of<Interpolation>());
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training data (with --resume: the new total).", DefaultValueFactory = _ => Defaults.Epochs, HelpName = "N" };
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Images per optimizer step.", DefaultValueFactory = _ => Defaults.BatchSize, HelpName = "N" };
        var learningRate = new Option<double>("--learning-rate", "--lr") { Description = "Adam learning rate (the base rate of a schedule).", DefaultValueFactory = _ => Defaults.LearningRate, HelpName = "RATE" };
        var seed = new Option<int>("--seed") { Description = "Seed for initial weights, dropout, shuffling, augmentation and the validation split.", DefaultValueFactory = _ => Defaults.Seed, HelpName = "N" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = one per core). Results are reproducible for the same seed and thread count.", DefaultValueFactory = _ => Defaults.Threads, HelpName = "N" };
        var output = new Option<string?>("--output", "-o") { Description = "Run folder to create (default: the next runs/train-NNN). Never overwritten.", HelpName = "DIR" };
        var cache = Choice("--cache", "Keep decoded images in memory between epochs (auto: up to a quarter of RAM).", Defaults.Cache);
        var maxPixels = new Option<long>("--max-pixels") { Description = "Refuse image files larger than this many pixels (width x height).", DefaultValueFactory = _ => Defaults.MaxPixels, HelpName = "N" };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first image that cannot be read, naming it, instead of skipping it." };
        var device = DeviceOption.Create();
        var tensorBoard = new Option<string?>("--tensorboard") { Description = "Also write TensorBoard event files (per-epoch scalars) to DIR/<run name>.", HelpName = "DIR" };
        var logFormat = new Option<string>("--log-format") { Description = "text for people; json prints one JSON object per epoch on stdout (JSON Lines).", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");

        var monitor = Choice("--monitor", "Metric that picks best.cls, early stopping and the plateau schedule.", Defaults.Monitor);
        var patience = new Option<int?>("--patience") { Description = "Stop after this many epochs without improvement (default: never stop early).", HelpName = "N" };
        var minDelta = new Option<double>("--min-delta") { Description = "Smallest change of the monitored metric that counts as an improvement.", DefaultValueFactory = _ => Defaults.MinDelta, HelpName = "D" };
        var schedule = Choice("--lr-schedule", "Learning-rate schedule after warm-up.", Defaults.LrSchedule);
        var warmup = new Option<int>("--warmup-epochs") { Description = "Epochs of linear learning-rate warm-up.", DefaultValueFactory = _ => Defaults.WarmupEpochs, HelpName = "N" };
        var plateauPatience = new Option<int>("--plateau-patience") { Description = "Plateau schedule: epochs without improvement before the rate is cut.", DefaultValueFactory = _ => Defaults.PlateauPatience, HelpName = "N" };
        var plateauFactor = new Option<double>("--plateau-factor") { Description = "Plateau schedule: factor applied to the rate at each cut.", DefaultValueFactory = _ => Defaults.PlateauFactor, HelpName = "F" };
        var minLearningRate = new Option<double>("--min-learning-rate") { Description = "Floor of the cosine and plateau schedules.", DefaultValueFactory = _ => Defaults.MinLearningRate, HelpName = "RATE" };
        var labelSmoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing of the training loss.", DefaultValueFactory = _ => Defaults.LabelSmoothing, HelpName = "S" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay (AdamW); 0 keeps plain Adam.", DefaultValueFactory = _ => Defaults.WeightDecay, HelpName = "W" };
        var emaDecay = new Option<double?>("--ema-decay")
        {
            Description = "Keep a moving average of the weights with this decay per step (e.g. 0.999, as timm's --model-ema); validation, best.cls and the final model use the average.",
            HelpName = "D",
        };
        var classWeight = Choice("--class-weight", "Weight the loss by inverse class frequency (balanced).", Defaults.ClassWeight);
        var tta = Choice("--tta", "Test-time augmentation of validation, recorded in the model for eval and predict: none, or horizontal_flip (average the logits of each image and its mirror image).", Defaults.TestTimeAugmentation);

        var hflip = new Option<bool>("--horizontal-flip") { Description = "Augment: flip left-right at random." };
        var vflip = new Option<bool>("--vertical-flip") { Description = "Augment: flip upside down at random." };
        var rotation = new Option<double>("--rotation-range") { Description = "Augment: rotate by up to this many degrees either way.", HelpName = "DEG" };
        var widthShift = new Option<double>("--width-shift-range") { Description = "Augment: shift by up to this fraction of the width.", HelpName = "F" };
        var heightShift = new Option<double>("--height-shift-range") { Description = "Augment: shift by up to this fraction of the height.", HelpName = "F" };
        var zoom = new Option<double>("--zoom-range") { Description = "Augment: zoom each axis by a factor in [1-F, 1+F].", HelpName = "F" };
        var erasing = new Option<double>("--random-erasing")
        {
            Description = "Augment: with this probability, fill one random rectangle (2-33% of the image) with noise, as torchvision's RandomErasing.",
            HelpName = "P",
        };
        var brightness = new Option<string?>("--brightness-range") { Description = "Augment: multiply brightness by a factor in [LOW, HIGH].", HelpName = "LOW,HIGH" };

        var command = new Command("train", "Train an image classifier (the seed CNN, or a zoo network with --model) on a folder of images; writes the model, history.csv and curves.png to a run folder.")
        {
            data, config, resume, preview, model, weights, freeze, backboneLrScale, val, split, imageSize, interpolation, epochs, batchSize, learningRate, seed, threads, output,
            cache, maxPixels, strict, device, tensorBoard, logFormat, monitor, patience, minDelta, schedule, warmup, plateauPatience, plateauFactor, minLearningRate,
            labelSmoothing, weightDecay, emaDecay, classWeight, tta, hflip, vflip, rotation, widthShift, heightShift, zoom, brightness, erasing,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            var outputs = new TrainOutputs(terminal, json: parse.GetValue(logFormat) == "json",
                parse.GetValue(tensorBoard) is { } logDir ? new TensorBoardObserver(logDir) : null);
            if (parse.GetValue(resume) is { } runDir)
            {
                var allowed = new Option[] { resume, epochs, tensorBoard, logFormat };
                var others = command.Options.Where(o => !allowed.Contains(o) && Given(o)).Select(o => o.Name).ToList();
                if (others.Count > 0 || parse.GetValue(data) is not null)
                    throw new ClassifierException(
                        $"--resume continues a run with its own options; only --epochs, --tensorboard and --log-format may be given with it (not {string.Join(", ", others.DefaultIfEmpty("DATA_DIR"))}).");
                return outputs.Train(observer => Trainer.Resume(runDir, Given(epochs) ? parse.GetValue(epochs) : null, observer, ct), ct);
            }

            var options = parse.GetValue(config) is { } file ? TrainOptionsFile.Read(file) : new TrainOptions();
            TrainOptions Set<T>(TrainOptions o, Option<T> option, Func<TrainOptions, T, TrainOptions> apply) =>
                Given(option) ? apply(o, parse.GetValue(option)!) : o;
            AugmentOptions Aug<T>(AugmentOptions a, Option<T> option, Func<AugmentOptions, T, AugmentOptions> apply) =>
                Given(option) ? apply(a, parse.GetValue(option)!) : a;

            if (parse.GetValue(data) is { } dataDir) options = options with { DataDir = dataDir };
            options = Set(options, val, (o, v) => o with { ValidationDir = v });
            options = Set(options, split, (o, v) => o with { ValidationSplit = v });
            options = Set(options, model, (o, v) => o with { Model = v });
            options = Set(options, weights, (o, v) => o with { Weights = v });
            options = Set(options, freeze, (o, v) => o with { Freeze = EnumValues.Parse<FreezeMode>(v) });
            options = Set(options, backboneLrScale, (o, v) => o with { BackboneLrScale = v });
            options = Set(options, imageSize, (o, v) => o with { ImageSize = v });
            options = Set(options, interpolation, (o, v) => o with { Interpolation = EnumValues.Parse<Interpolation>(v!) });
            options = Set(options, epochs, (o, v) => o with { Epochs = v });
            options = Set(options, batchSize, (o, v) => o with { BatchSize = v });
            options = Set(options, learningRate, (o, v) => o with { LearningRate = v });
            options = Set(options, seed, (o, v) => o with { Seed = v });
            options = Set(options, threads, (o, v) => o with { Threads = v });
            options = Set(options, output, (o, v) => o with { OutputDir = v });
            options = Set(options, cache, (o, v) => o with { Cache = EnumValues.Parse<CacheMode>(v) });
            options = Set(options, maxPixels, (o, v) => o with { MaxPixels = v });
            options = Set(options, strict, (o, v) => o with { Strict = v });
            options = Set(options, device, (o, _) => o with { Device = DeviceOption.Read(parse, device) });
            options = Set(options, monitor, (o, v) => o with { Monitor = EnumValues.Parse<MonitorMetric>(v) });
            options = Set(options, patience, (o, v) => o with { Patience = v });
            options = Set(options, minDelta, (o, v) => o with { MinDelta = v });
            options = Set(options, schedule, (o, v) => o with { LrSchedule = EnumValues.Parse<LearningRateSchedule>(v) });
            options = Set(options, warmup, (o, v) => o with { WarmupEpochs = v });
            options = Set(options, plateauPatience, (o, v) => o with { PlateauPatience = v });
            options = Set(options, plateauFactor, (o, v) => o with { PlateauFactor = v });
            options = Set(options, minLearningRate, (o, v) => o with { MinLearningRate = v });
            options = Set(options, labelSmoothing, (o, v) => o with { LabelSmoothing = v });
            options = Set(options, weightDecay, (o, v) => o with { WeightDecay = v });
            options = Set(options, emaDecay, (o, v) => o with { EmaDecay = v });
            options = Set(options, classWeight, (o, v) => o with { ClassWeight = EnumValues.Parse<ClassWeighting>(v) });
            options = Set(options, tta, (o, v) => o with { TestTimeAugmentation = EnumValues.Parse<TestTimeAugmentation>(v) });
            var augment = options.Augment;
            augment = Aug(augment, hflip, (a, v) => a with { HorizontalFlip = v });
            augment = Aug(augment, vflip, (a, v) => a with { VerticalFlip = v });
            augment = Aug(augment, rotation, (a, v) => a with { RotationDegrees = v });
            augment = Aug(augment, widthShift, (a, v) => a with { WidthShift = v });
            augment = Aug(augment, heightShift, (a, v) => a with { HeightShift = v });
            augment = Aug(augment, zoom, (a, v) => a with { Zoom = v });
            augment = Aug(augment, brightness, (a, v) => a with { Brightness = ParseRange(v) });
            augment = Aug(augment, erasing, (a, v) => a with { RandomErasing = v });
            options = options with { Augment = augment };

            if (parse.GetValue(preview) is { } count)
            {
                var path = Path.Combine(options.OutputDir ?? ".", "augment-preview.png");
                int shown = AugmentPreview.Write(options, count, path);
                terminal.Out.WriteLine($"Wrote {shown} augmented training images to {Path.GetFullPath(path)}");
                return ExitCodes.Ok;
            }
            return outputs.Train(observer => new Trainer(options, observer).Run(ct), ct);
        }));
        return command;
    }

    private static Option<string> Choice<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => EnumValues.Name(defaultValue) };
        option.AcceptOnlyFromAmong(EnumValues.Of<T>());
        return option;
    }

    private static double[] ParseRange(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var low)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var high))
            return [low, high];
        throw new ClassifierException($"--brightness-range '{text}': give two factors LOW,HIGH, e.g. 0.8,1.2.");
    }
}
