using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Options;
using Classifier.Core.Prediction;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify predict --model RUN PATH...</c>: classifies files and folders (recursively) and streams one row per
/// file as batches finish; an unreadable file gets a row with its error. Rows go to stdout, the summary to stderr.
/// Exits 0 when at least one file was classified, 2 when none could be.
/// </summary>
internal static class PredictCommand
{
    private static readonly PredictOptions Defaults = new() { Model = "." };

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Run folder (uses its best.cls) or model file.", Required = true, HelpName = "RUN_DIR|MODEL_FILE" };
        var paths = new Argument<string[]>("PATH") { Description = "Image files and folders (searched recursively for image files).", Arity = ArgumentArity.OneOrMore };
        var format = InferenceOptions.Format("table for people; csv (path,label,confidence,...); json (JSON Lines: one object per file).",
            OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json);
        var topK = ValueOptions.Number("--top-k", OptionKind.Int, "Most probable classes listed per file.", Defaults.TopK, "K");
        var batchSize = InferenceOptions.BatchSize(Defaults.BatchSize);
        var threads = InferenceOptions.Threads(Defaults.Threads);
        var maxPixels = InferenceOptions.MaxPixels(Defaults.MaxPixels);
        var strict = InferenceOptions.Strict("writing an error row");
        var device = DeviceOption.Create();
        var engine = EngineOption.Create();
        var precision = PrecisionOption.Create(PrecisionOption.ModelsOwn);
        var tta = TtaOption.Create();
        var shard = ShardOption.Create("K/N: classify only shard K of N of the files (K from 0; split by a hash of each file's path); auto (Slurm) or auto/N (Kubernetes) reads K from the job engine.");

        var command = new Command("predict", "Classify image files and folders with a trained model.")
        {
            model, paths, format, topK, batchSize, threads, maxPixels, strict, device, engine, precision, tta, shard,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = new PredictOptions
            {
                Model = parse.GetValue(model)!,
                TopK = parse.GetValue(topK),
                BatchSize = parse.GetValue(batchSize),
                Threads = parse.GetValue(threads),
                MaxPixels = parse.GetValue(maxPixels),
                Strict = parse.GetValue(strict),
                TestTimeAugmentation = TtaOption.Read(parse, tta),
                Device = DeviceOption.Read(parse, device),
                Engine = EngineOption.Read(parse, engine),
                Precision = PrecisionOption.Read(parse, precision),
                Shard = ShardOption.Read(parse, shard),
            };
            using var predictor = Predictor.Open(options);
            var writer = new PredictionWriter(terminal.Out, parse.GetValue(format), predictor.TopK, predictor.ClassNames);
            writer.WriteHeader();
            long files = 0, errors = 0;
            foreach (var row in predictor.Predict(parse.GetValue(paths)!, ct))
            {
                writer.Write(row);
                files++;
                if (row.Error is not null) errors++;
                // Each row goes out as it is ready, so a reader that left (`| head -1`) stops the run at the next row.
                terminal.Out.Flush();
            }
            terminal.Out.Flush();
            if (predictor.EngineNote is { } note) terminal.Error.WriteLine($"note: {note}");
            var part = options.Shard is { } shardOf ? $"shard {shardOf} (counted from 0): " : "";
            terminal.Error.WriteLine($"{part}{files:N0} file(s), {errors:N0} could not be read; model {predictor.ModelPath}");
            // With more shards than files some shards are empty; that is their share, not a failure.
            if (files == 0 && options.Shard is not null) return ExitCodes.Ok;
            // Some rows with errors still leave a usable result (exit 0, the rows say which); none at all is a failure.
            if (files == errors)
                throw new Core.ClassifierException(files == 0
                    ? "nothing to classify: the paths given hold no image file (.jpg, .png, ...)."
                    : "nothing could be classified: every path given is missing or unreadable (see the rows above).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
