using System.CommandLine;
using System.Globalization;
using Classifier.Cli.Output;
using Classifier.Core.Evaluation;
using Classifier.Core.Options;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify eval --model RUN DATA_DIR</c> (or <c>--split validation</c> for the run's own held-out images): loss, top-1 and top-k accuracy, per-class metrics and the confusion
/// matrix; the eval files (metrics.json, misclassified.csv, heatmaps, top errors) in an output folder; report.html
/// refreshed; and the CI gate (<c>--min-accuracy</c>, <c>--min-f1</c>, exit code 3).
/// </summary>
internal static class EvalCommand
{
    private static readonly EvalOptions Defaults = new() { Model = ".", DataDir = "." };

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Run folder (uses its best.cls) or model file (required, except with --merge).", HelpName = "RUN_DIR|MODEL_FILE" };
        var data = new Argument<string?>("DATA_DIR")
        {
            Description = "Folder with one sub-folder of images per class (names as in training; one class is enough).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var split = ValueOptions.OptionalChoice("--split",
            "Instead of DATA_DIR: the run's own validation (or train) images, exactly those it recorded in files.csv.",
            [TrainingFiles.ValidationSplit, TrainingFiles.TrainSplit]);
        var format = InferenceOptions.Format("table for people, json (one object on stdout) for scripts.", OutputFormat.Table, OutputFormat.Json);
        var batchSize = InferenceOptions.BatchSize(Defaults.BatchSize);
        var threads = InferenceOptions.Threads(Defaults.Threads);
        var strict = InferenceOptions.Strict("skipping it");
        var maxPixels = InferenceOptions.MaxPixels(Defaults.MaxPixels);
        var device = DeviceOption.Create();
        var engine = EngineOption.Create();
        var precision = PrecisionOption.Create(PrecisionOption.ModelsOwn);
        var tta = TtaOption.Create();
        var topK = ValueOptions.Optional<int>("--top-k", OptionKind.Int, $"Also report top-k accuracy (default: {EvalOptions.DefaultTopK} when the model has more than {EvalOptions.DefaultTopK} classes, otherwise none).", "K");
        var output = new Option<string?>("--output", "-o") { Description = "Folder for metrics.json, misclassified.csv and the PNGs (default: eval-<data folder name> beside the model).", HelpName = "DIR" };
        var topErrors = ValueOptions.Number("--top-errors", OptionKind.Int, "Most confident errors shown on top_errors.png (0 for no sheet).", EvaluationOutputs.DefaultTopErrors);
        var minAccuracy = ValueOptions.Optional<double>("--min-accuracy", OptionKind.Double, "CI gate: exit with code 3 when top-1 accuracy is below this fraction.");
        var minF1 = ValueOptions.Optional<double>("--min-f1", OptionKind.Double, "CI gate: exit with code 3 when macro-averaged F1 is below this fraction.");
        var shard = ShardOption.Create("K/N: evaluate only shard K of N of the images (K from 0) and write the counts --merge adds up; auto (Slurm) or auto/N (Kubernetes) reads K from the job engine.");
        var merge = new Option<string[]>("--merge") { Description = "Instead of evaluating: add up the metrics.json of every shard (files, or their folders) into one evaluation, as one unsharded eval writes it.", HelpName = "METRICS_JSON", AllowMultipleArgumentsPerToken = true };

        var command = new Command("eval", "Evaluate a trained model on a folder of labelled images.")
        {
            model, data, split, format, batchSize, threads, maxPixels, topK, output, topErrors, minAccuracy, minF1, device, engine, precision, tta, strict,
            shard, merge,
        };
        command.Validators.Add(result =>
        {
            bool merging = result.GetValue(merge) is { Length: > 0 };
            if (merging && (result.GetValue(data) is not null || result.GetValue(split) is not null))
                result.AddError("--merge adds up shards' metrics.json files: give no DATA_DIR or --split with it.");
            else if (merging && result.GetValue(shard) is not null)
                result.AddError("--merge and --shard do not go together: evaluate the shards first, then merge them.");
        });
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var gate = new QualityGate(parse.GetValue(minAccuracy), parse.GetValue(minF1));
            gate.Validate();
            int errorsShown = parse.GetValue(topErrors);
            if (errorsShown < 0) throw new Core.ClassifierException($"--top-errors {errorsShown}: give 0 or more.");
            bool json = parse.GetValue(format) == OutputFormat.Json;
            var shardSpec = ShardOption.Read(parse, shard);
            if (shardSpec is not null && gate.IsActive)
                throw new Core.ClassifierException($"--shard {shardSpec}: a shard holds only part of the images; put --min-accuracy/--min-f1 on the 'classify eval --merge' that adds the shards up.");

            if (parse.GetValue(merge) is not { Length: > 0 } && parse.GetValue(model) is null)
            {
                // --model is required except with --merge, so the parser cannot say it; say it as the parser would.
                terminal.Error.WriteLine($"error: classify eval needs --model <{model.HelpName}>.");
                terminal.Error.WriteLine("Run 'classify eval --help' to see the options.");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(merge) is { Length: > 0 } mergeArguments)
            {
                var merged = ShardMerge.Merge(ShardMerge.Files(mergeArguments), parse.GetValue(model));
                return Finish(terminal, merged, parse.GetValue(output), errorsShown, json, gate);
            }
            var options = new EvalOptions
            {
                Model = parse.GetValue(model)!,
                DataDir = parse.GetValue(data),
                Split = parse.GetValue(split),
                Shard = shardSpec,
                BatchSize = parse.GetValue(batchSize),
                Threads = parse.GetValue(threads),
                MaxPixels = parse.GetValue(maxPixels),
                Device = DeviceOption.Read(parse, device),
                Engine = EngineOption.Read(parse, engine),
                Precision = PrecisionOption.Read(parse, precision),
                TopK = parse.GetValue(topK),
                Strict = parse.GetValue(strict),
                TestTimeAugmentation = TtaOption.Read(parse, tta),
            };

            var progress = new ProgressLine(terminal, "Evaluating");
            var report = ModelEvaluation.Run(options, progress.Report,
                (path, reason) => terminal.Error.WriteLine(WarningLine.Of(Core.Data.DataWarning.Skipped(path, reason))), ct);
            progress.Done();
            if (report.EngineNote is { } note) terminal.Error.WriteLine($"note: {note}");
            WarnAboutOverlap(terminal, report, parse.GetValue(model)!);

            return Finish(terminal, report, parse.GetValue(output), errorsShown, json, gate);
        }));
        return command;
    }

    /// <summary>
    /// Ends an evaluation in Core (<see cref="EvaluationEnd.Finish"/>: the eval files, report.html, the CI summary) and
    /// says what it measured and wrote; the same for one run, merged shards and a shard.
    /// </summary>
    private static int Finish(Terminal terminal, EvaluationReport report, string? output, int errorsShown, bool json, QualityGate gate)
    {
        var finished = EvaluationEnd.Finish(report, output, errorsShown, gate);
        if (finished.Displaced is { } wanted)
            terminal.Error.WriteLine(
                $"note: '{ControlCharacters.Escape(wanted)}' holds the evaluation of another data folder (or another eval is writing it); " +
                $"this evaluation went to '{ControlCharacters.Escape(finished.Folder)}'.");

        if (json)
            terminal.Out.WriteLine(EvaluationJson.ToText(report));
        else
            EvaluationTable.Write(terminal.Out, report);
        // With --format json, stdout holds only the JSON object.
        var notes = json ? terminal.Error : terminal.Out;
        notes.WriteLine();
        if (report.Shard is { } part)
        {
            notes.WriteLine($"Shard {part.Shard} (counted from 0): {part.Positions.Count:N0} of the {part.FolderImages:N0} images.");
            notes.WriteLine($"Eval files: {finished.Folder}");
            notes.WriteLine($"Merge all {part.Shard.Count} shard(s) with: classify eval --merge {Path.GetDirectoryName(finished.Folder)}");
            return ExitCodes.Ok;
        }
        notes.WriteLine($"Eval files: {finished.Folder}");
        notes.WriteLine($"Report:     {finished.ReportPath}");
        if (finished.SummaryWarning is { } warning) terminal.Error.WriteLine(warning);

        if (finished.GateFailures.Count > 0)
        {
            terminal.Error.WriteLine($"Gate failed: {string.Join("; ", finished.GateFailures)}");
            return ExitCodes.BelowThreshold;
        }
        if (gate.IsActive) notes.WriteLine($"Gate passed: {Passed(gate, report.Result)}");
        return ExitCodes.Ok;
    }

    /// <summary>An evaluation on images the model trained on overstates it: say so, with counts and the honest alternative.</summary>
    private static void WarnAboutOverlap(Terminal terminal, EvaluationReport report, string model)
    {
        if (report.Overlap is not { Train: > 0 } overlap) return;
        terminal.Error.WriteLine(
            $"warning: {overlap.Train:N0} of {report.Data.Images.Count:N0} images were in the run's training set (same content); " +
            "this figure overstates how the model does on new images." +
            (report.Split is null ? $" For its held-out figure: classify eval --model {model} --split validation" : ""));
    }

    private static string Passed(QualityGate gate, EvaluationResult result)
    {
        var parts = new List<string>();
        if (gate.MinAccuracy is { } a) parts.Add($"accuracy {F(result.Accuracy)} >= --min-accuracy {F(a)}");
        if (gate.MinMacroF1 is { } f) parts.Add($"macro F1 {F(Averages.Of(result.PerClass).Macro.F1)} >= --min-f1 {F(f)}");
        return string.Join("; ", parts);
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
