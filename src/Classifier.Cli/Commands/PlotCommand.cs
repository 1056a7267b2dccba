using System.CommandLine;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary><c>classify plot RUN_DIR|HISTORY_CSV [-o FILE]</c>: redraws the training curves from history.csv alone.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("RUN_DIR|HISTORY_CSV") { Description = "A run folder or its history.csv." };
        var output = new Option<string?>("--output", "-o") { Description = "PNG file to write (default: curves.png beside history.csv).", HelpName = "FILE" };
        var command = new Command("plot", "Draw the accuracy and loss curves of a run from its history.csv.") { source, output };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var history = RunFolder.ResolveHistory(parse.GetValue(source)!);
            var target = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(history)!, RunFolder.CurvesName);
            CurvesPlot.SaveFromHistory(history, target);
            terminal.Out.WriteLine($"Wrote {Path.GetFullPath(target)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
