using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Checking;
using Classifier.Core.Options;

namespace Classifier.Cli.Commands;

/// <summary><c>classify check DATA_DIR [--val DIR]</c>: a read-only audit of a data folder before training.</summary>
internal static class CheckCommand
{
    private static readonly CheckOptions Defaults = new() { DataDir = "." };

    public static Command Create()
    {
        var data = new Argument<string>("DATA_DIR") { Description = "Folder with one sub-folder of images per class (or with train/ and val/ folders that each have them)." };
        var val = new Option<string?>("--val") { Description = "Validation folder with the same class sub-folders (checked for leakage too).", HelpName = "DIR" };
        var format = ValueOptions.Choice("--format", "table for people, json (one object on stdout) for scripts.", ["table", "json"], "table");
        var maxPixels = ValueOptions.Number("--max-pixels", OptionKind.Long, "Report image files larger than this many pixels (as train refuses them).", Defaults.MaxPixels);
        var minSide = ValueOptions.Number("--min-side", OptionKind.Int, "Warn about images with a side shorter than this, in pixels.", Defaults.MinimumSide, "PX");
        var imbalance = ValueOptions.Number("--imbalance-ratio", OptionKind.Double, "Warn when the largest class has this many times the images of the smallest.", Defaults.ImbalanceRatio);
        var threads = ValueOptions.Number("--threads", OptionKind.Int, "Files read at once (0 = one per core).", Defaults.Threads);

        var command = new Command("check", "Audit a data folder without changing it: unreadable, oversized, tiny and duplicate images, class counts, leakage. " +
            $"Exit {ExitCodes.ProblemsFound} when it finds errors.")
        {
            data, val, format, maxPixels, minSide, imbalance, threads,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = new CheckOptions
            {
                DataDir = parse.GetValue(data)!,
                ValidationDir = parse.GetValue(val),
                MaxPixels = parse.GetValue(maxPixels),
                MinimumSide = parse.GetValue(minSide),
                ImbalanceRatio = parse.GetValue(imbalance),
                Threads = parse.GetValue(threads),
            };
            var progress = new ProgressLine(terminal, "Checking");
            var report = DatasetChecker.Run(options, progress.Report, ct);
            progress.Done();
            if (parse.GetValue(format) == "json")
                terminal.Out.WriteLine(CheckJson.ToText(report));
            else
                CheckTable.Write(terminal.Out, report);
            return report.IsClean ? ExitCodes.Ok : ExitCodes.ProblemsFound;
        }));
        return command;
    }
}
