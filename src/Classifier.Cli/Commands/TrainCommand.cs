using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Data;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary><c>classify train DATA_DIR</c>: trains the seed CNN and writes a run folder.</summary>
internal static class TrainCommand
{
    private static readonly TrainOptions Defaults = new() { DataDir = "." };

    public static Command Create()
    {
        var data = new Argument<string>("DATA_DIR")
        {
            Description = "Folder with one sub-folder of images per class (or with train/ and val/ folders that each have them).",
        };
        var val = new Option<string?>("--val") { Description = "Validation folder with the same class sub-folders.", HelpName = "DIR" };
        var split = new Option<double?>("--validation-split")
        {
            Description = $"Hold out this fraction of each class for validation (seeded; {TrainingData.DefaultValidationSplit} when no validation folder is found).",
            HelpName = "F",
        };
        var imageSize = new Option<int>("--image-size") { Description = "Side of the square network input, in pixels.", DefaultValueFactory = _ => Defaults.ImageSize, HelpName = "PX" };
        var interpolation = new Option<string>("--interpolation") { Description = "Resize filter.", DefaultValueFactory = _ => "nearest" };
        interpolation.AcceptOnlyFromAmong("nearest", "bilinear");
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training data.", DefaultValueFactory = _ => Defaults.Epochs };
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Images per optimizer step.", DefaultValueFactory = _ => Defaults.BatchSize };
        var learningRate = new Option<double>("--learning-rate", "--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed for initial weights, dropout, shuffling and the validation split.", DefaultValueFactory = _ => Defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = one per core).", DefaultValueFactory = _ => Defaults.Threads };
        var output = new Option<string?>("--output", "-o") { Description = "Run folder to create (default: the next runs/train-NNN). Never overwritten.", HelpName = "DIR" };
        var cache = new Option<string>("--cache") { Description = "Keep decoded images in memory between epochs (auto: up to a quarter of RAM).", DefaultValueFactory = _ => "auto" };
        cache.AcceptOnlyFromAmong("auto", "ram", "none");
        var strict = new Option<bool>("--strict") { Description = "Stop at the first image that cannot be read, naming it, instead of skipping it." };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Refuse image files larger than this many pixels (width x height).", DefaultValueFactory = _ => Defaults.MaxPixels };

        var command = new Command("train", "Train the seed CNN on a folder of images; writes the model, history.csv and curves.png to a run folder.")
        {
            data, val, split, imageSize, interpolation, epochs, batchSize, learningRate, seed, threads, output, cache, maxPixels, strict,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = new TrainOptions
            {
                DataDir = parse.GetValue(data)!,
                ValidationDir = parse.GetValue(val),
                ValidationSplit = parse.GetValue(split),
                ImageSize = parse.GetValue(imageSize),
                Interpolation = Enum.Parse<Interpolation>(parse.GetValue(interpolation)!, ignoreCase: true),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                OutputDir = parse.GetValue(output),
                Cache = Enum.Parse<CacheMode>(parse.GetValue(cache)!, ignoreCase: true),
                MaxPixels = parse.GetValue(maxPixels),
                Strict = parse.GetValue(strict),
            };
            var view = new TrainingView(terminal);
            var result = new Trainer(options, view).Run(ct);
            view.PrintSummary(result);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
