using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify runs DIR...</c>: the training runs grouped by the data they trained on, each group ranked by a metric
/// (<c>--by</c>; by default the test evaluation when every run has one, else validation accuracy), with each run's best
/// epoch and the options that differ between them; for comparing a sweep (curves: <c>classify plot RUN_A RUN_B ...</c>).
/// </summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("DIR")
        {
            Description = "Run folders, or folders that hold runs (a sweep's output folder).",
            Arity = ArgumentArity.OneOrMore,
        };
        var by = new Option<string?>("--by")
        {
            Description = "Rank by val_accuracy or val_loss (the best epoch's), or eval:NAME (the accuracy in each run's " +
                          "eval-NAME/metrics.json, e.g. eval:test). [default: eval:test where every run of a data folder has it, else val_accuracy]",
            HelpName = "METRIC",
        };
        by.Validators.Add(result =>
        {
            try
            {
                if (result.GetValueOrDefault<string?>() is { } text) RankMetric.Parse(text);
            }
            catch (ClassifierException e)
            {
                result.AddError(e.Message);
            }
        });
        var format = ValueOptions.Choice("--format", "table for people; csv or json for scripts.", ["table", "csv", "json"], "table");
        var command = new Command("runs", "List training runs by data folder, best first, with their metrics and the options that differ between them.")
        {
            folders, by, format,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var metric = parse.GetValue(by) is { } text ? RankMetric.Parse(text) : null;
            var groups = RunRanking.Rank(RunSummary.Find(parse.GetValue(folders)!), metric);
            RunsTable.Write(terminal.Out, terminal.Error, groups, parse.GetValue(format)!);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
