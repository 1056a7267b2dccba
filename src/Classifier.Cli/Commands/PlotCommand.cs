using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Evaluation;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify plot SOURCE... [-o FILE]</c>, from files alone: one run's curves (from history.csv), several runs
/// overlaid on one figure, or an evaluation's confusion matrix (from its metrics.json). SVG when FILE ends in .svg.
/// </summary>
internal static class PlotCommand
{
    /// <summary>Default output of an overlay, in the current folder.</summary>
    private const string CompareName = "compare.png";

    public static Command Create()
    {
        var sources = new Argument<string[]>("SOURCE")
        {
            Description = "A run folder or history.csv (curves); several of them (overlaid); or an eval folder or its metrics.json (confusion matrix).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--output", "-o") { Description = "PNG or SVG file to write (default: curves.png beside history.csv, compare.png for several runs, confusion_matrix.png in the eval folder).", HelpName = "FILE" };
        var normalize = new Option<bool>("--normalize") { Description = "Confusion matrix: divide each row by its total (recall on the diagonal)." };
        var command = new Command("plot", "Draw training curves of one or more runs, or the confusion matrix of an evaluation.")
        {
            sources, output, normalize,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var given = parse.GetValue(sources)!;
            var target = parse.GetValue(output);
            if (given.Length == 1 && MetricsFile(given[0]) is { } metricsPath)
            {
                var eval = SavedEvaluation.Read(metricsPath);
                bool normalized = parse.GetValue(normalize);
                target ??= Path.Combine(Path.GetDirectoryName(metricsPath)!,
                    normalized ? EvaluationOutputs.ConfusionMatrixNormalizedName : EvaluationOutputs.ConfusionMatrixName);
                ConfusionMatrixPlot.Save(eval.Matrix, eval.ClassNames, normalized, target,
                    $"{EvaluationOutputs.FolderName(eval.Data)}: {eval.Images:N0} images");
            }
            else if (given.Length == 1)
            {
                var history = RunFolder.ResolveHistory(given[0]);
                target ??= Path.Combine(Path.GetDirectoryName(history)!, RunFolder.CurvesName);
                CurvesPlot.SaveFromHistory(history, target);
            }
            else
            {
                var runs = given.Select(RunFolder.ResolveHistory).ToList();
                var names = RunNames(runs);
                RunsOverlayPlot.Save(runs.Select((h, i) => new RunHistory(names[i], HistoryCsv.Read(h))).ToList(), target ??= CompareName);
            }
            terminal.Out.WriteLine($"Wrote {Path.GetFullPath(target)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The metrics.json meant by <paramref name="source"/>, or null when it is not an evaluation.</summary>
    private static string? MetricsFile(string source)
    {
        if (File.Exists(source) && Path.GetExtension(source).Equals(".json", StringComparison.OrdinalIgnoreCase))
            return Path.GetFullPath(source);
        var inFolder = Path.Combine(source, EvaluationOutputs.MetricsName);
        return Directory.Exists(source) && File.Exists(inFolder) && !File.Exists(Path.Combine(source, RunFolder.HistoryName))
            ? Path.GetFullPath(inFolder) : null;
    }

    /// <summary>Legend names: each run's folder name, with its parent added where two runs share a name.</summary>
    private static List<string> RunNames(IReadOnlyList<string> historyFiles)
    {
        var folders = historyFiles.Select(h => Path.GetDirectoryName(h)!).ToList();
        var names = folders.Select(f => Path.GetFileName(f)).ToList();
        for (int i = 0; i < names.Count; i++)
            if (names.Count(n => n == names[i]) > 1)
                names[i] = Path.Combine(Path.GetFileName(Path.GetDirectoryName(folders[i])) ?? "", Path.GetFileName(folders[i]));
        if (names.Distinct().Count() < names.Count)
            throw new ClassifierException("Two of the runs to overlay are the same folder; give each run once.");
        return names;
    }
}
