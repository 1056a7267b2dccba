using System.CommandLine;
using System.Text.Json;
using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Benchmarks;
using Classifier.Core.Data;
using Classifier.Core.Options;

namespace Classifier.Cli.Commands;

/// <summary><c>classify benchmark</c>: throughput of decoding, training and evaluation on generated images.</summary>
internal static class BenchmarkCommand
{
    private static readonly BenchmarkOptions Defaults = new();

    public static Command Create()
    {
        var sizes = ValueOptions.Many("--image-size", OptionKind.Int,
            "Image sizes to measure (repeat the option for several; default 224 and 28 for seed-cnn, the model's input size for the others).", [.. Defaults.ImageSizes], "PX");
        var model = ValueOptions.Choice("--model", "Network to measure (see classify models).", [.. Core.Model.Zoo.NetworkRegistry.Names], Defaults.Model);
        model.HelpName = "NAME";   // the zoo's names do not fit one help line
        var images = ValueOptions.Optional<int>("--images", OptionKind.Int, "Training images to generate per size (default: 512 at 224 px, 8,192 at 28 px).");
        var batchSize = InferenceOptions.BatchSize(Defaults.BatchSize, "Training batch size.");
        var evalBatchSize = ValueOptions.Number("--eval-batch-size", OptionKind.Int, "Evaluation batch size.", Defaults.EvaluationBatchSize);
        var threads = InferenceOptions.Threads(Defaults.Threads);
        var cache = ValueOptions.Choice("--cache", "Cache mode for the training-from-files rows.", Enum.GetValues<CacheMode>(), Defaults.Cache);
        var engine = EngineOption.Create();
        var precision = PrecisionOption.Create("fp32, and bf16 beside it where the CPU has AVX512_BF16 or AMX");
        var seconds = ValueOptions.Number("--seconds", OptionKind.Double, "Seconds per synthetic measurement.", Defaults.SecondsPerMeasurement, "S");
        var format = InferenceOptions.Format("table for people, json for scripts.", OutputFormat.Table, OutputFormat.Json);

        var command = new Command("benchmark", "Measure images/s of decoding, training and evaluation on generated images, and peak memory.")
        {
            model, sizes, images, batchSize, evalBatchSize, threads, cache, engine, precision, seconds, format,
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
                Cache = parse.GetValue(cache),
                Engine = EngineOption.Read(parse, engine),
                Precision = PrecisionOption.Read(parse, precision),
                SecondsPerMeasurement = parse.GetValue(seconds),
            };
            bool json = parse.GetValue(format) == OutputFormat.Json;
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
