using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify runs DIR...</c>: a table of training runs, best validation accuracy first, with each run's best epoch
/// and the options that differ between them; for comparing a sweep (curves: <c>classify plot RUN_A RUN_B ...</c>).
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
        var format = new Option<string>("--format") { Description = "table for people; csv or json for scripts.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("runs", "List training runs with their best epoch's metrics and the options that differ between them.")
        {
            folders, format,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            RunsTable.Write(terminal.Out, RunSummary.Find(parse.GetValue(folders)!), parse.GetValue(format)!);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
