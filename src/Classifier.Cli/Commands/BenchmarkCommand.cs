using System.CommandLine;
using System.Text.Json;
using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Benchmarks;
using Classifier.Core.Data;

namespace Classifier.Cli.Commands;

/// <summary><c>classify benchmark</c>: throughput of decoding, training and evaluation on generated images.</summary>
internal static class BenchmarkCommand
{
    private static readonly BenchmarkOptions Defaults = new();

    public static Command Create()
    {
        var sizes = new Option<int[]>("--image-size")
        {
            Description = "Image sizes to measure (repeat the option for several; default 224 and 28 for seed-cnn, the model's input size for others).",
            DefaultValueFactory = _ => [.. Defaults.ImageSizes],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "PX",
        };
        var model = new Option<string>("--model", "-m") { Description = "Network to measure (see classify models).", DefaultValueFactory = _ => Defaults.Model, HelpName = "NAME" };
        model.AcceptOnlyFromAmong([.. Core.Model.Zoo.NetworkRegistry.Names]);
        var images = new Option<int?>("--images") { Description = "Training images to generate per size (default: 512 at 224 px, 8,192 at 28 px).", HelpName = "N" };
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Training batch size.", DefaultValueFactory = _ => Defaults.BatchSize, HelpName = "N" };
        var evalBatchSize = new Option<int>("--eval-batch-size") { Description = "Evaluation batch size.", DefaultValueFactory = _ => Defaults.EvaluationBatchSize, HelpName = "N" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = one per core).", DefaultValueFactory = _ => Defaults.Threads, HelpName = "N" };
        var cache = new Option<string>("--cache") { Description = "Cache mode for the training-from-files rows.", DefaultValueFactory = _ => "auto" };
        cache.AcceptOnlyFromAmong(EnumValues.Of<CacheMode>());
        var seconds = new Option<double>("--seconds") { Description = "Seconds per synthetic measurement.", DefaultValueFactory = _ => Defaults.SecondsPerMeasurement, HelpName = "S" };
        var format = new Option<string>("--format") { Description = "table for people, json for scripts.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("benchmark", "Measure images/s of decoding, training and evaluation on generated images, and peak memory.")
        {
            model, sizes, images, batchSize, evalBatchSize, threads, cache, seconds, format,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var options = new BenchmarkOptions
            {
                Model = parse.GetValue(model)!,
                // Without --image-size, the default sizes for the seed CNN, the model's own input side for a zoo network.
                ImageSizes = parse.GetResult(sizes) is { Implicit: false } || parse.GetValue(model) == Defaults.Model
                    ? parse.GetValue(sizes)!
                    : [Core.Model.Zoo.NetworkRegistry.Get(parse.GetValue(model)!).DefaultImageSize],
                Images = parse.GetValue(images),
                BatchSize = parse.GetValue(batchSize),
                EvaluationBatchSize = parse.GetValue(evalBatchSize),
                Threads = parse.GetValue(threads),
                Cache = EnumValues.Parse<CacheMode>(parse.GetValue(cache)!),
                SecondsPerMeasurement = parse.GetValue(seconds),
            };
            bool json = parse.GetValue(format) == "json";
            var results = BenchmarkRunner.Run(options, message => terminal.Error.WriteLine(message));
            if (json)
                terminal.Out.WriteLine(JsonSerializer.Serialize(results.Select(BenchmarkTable.ToJson), new JsonSerializerOptions { WriteIndented = true }));
            else
                BenchmarkTable.Write(terminal.Out, results);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
