using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Evaluation;

namespace Classifier.Cli.Commands;

/// <summary><c>classify eval --model RUN DATA_DIR</c>: loss, accuracy, per-class metrics and the confusion matrix.</summary>
internal static class EvalCommand
{
    private static readonly EvalOptions Defaults = new() { Model = ".", DataDir = "." };

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Run folder (uses its best.cls) or model file.", Required = true, HelpName = "RUN_DIR|MODEL_FILE" };
        var data = new Argument<string>("DATA_DIR") { Description = "Folder with one sub-folder of images per class (names as in training)." };
        var format = new Option<string>("--format") { Description = "table for people, json (one object on stdout) for scripts.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => Defaults.BatchSize };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = one per core).", DefaultValueFactory = _ => Defaults.Threads };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first image that cannot be read, naming it, instead of skipping it." };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Refuse image files larger than this many pixels.", DefaultValueFactory = _ => Defaults.MaxPixels };

        var command = new Command("eval", "Evaluate a trained model on a folder of labelled images.")
        {
            model, data, format, batchSize, threads, maxPixels, strict,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = new EvalOptions
            {
                Model = parse.GetValue(model)!,
                DataDir = parse.GetValue(data)!,
                BatchSize = parse.GetValue(batchSize),
                Threads = parse.GetValue(threads),
                MaxPixels = parse.GetValue(maxPixels),
                Strict = parse.GetValue(strict),
            };
            bool json = parse.GetValue(format) == "json";
            var progress = new ProgressLine(terminal, "Evaluating");
            var report = ModelEvaluation.Run(options, progress.Report,
                (path, reason) => terminal.Error.WriteLine($"warning: skipped '{path}': {reason}"), ct);
            progress.Done();
            if (json)
                terminal.Out.WriteLine(EvaluationJson.ToText(report));
            else
                EvaluationTable.Write(terminal.Out, report);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
