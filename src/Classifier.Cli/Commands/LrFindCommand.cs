using System.CommandLine;
using System.Globalization;
using System.Text;
using Classifier.Cli.Help;
using Classifier.Core;
using Classifier.Core.Options;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify lr-find DATA_DIR [train options]</c>: the learning-rate range test (<see cref="LearningRateFinder"/>)
/// for the network, data and options a <c>train</c> with the same flags would use; prints the suggested
/// <c>--learning-rate</c> and writes lr-find.png and lr-find.csv to <c>--output</c> (else the current folder).
/// No run folder is created and nothing of the sweep is kept.
/// </summary>
internal static class LrFindCommand
{
    /// <summary>The figure's file name.</summary>
    public const string PlotName = "lr-find.png";

    /// <summary>The curve's file name (rate, loss, smoothed_loss per step).</summary>
    public const string CsvName = "lr-find.csv";

    /// <summary>Train options that steer a run folder rather than the network and data, which lr-find has none of.</summary>
    private static readonly HashSet<string> RunOnly = ["output", "keep-optimizer", "epochs", "patience", "min-delta", "monitor",
        "lr-schedule", "warmup-epochs", "plateau-patience", "plateau-factor", "min-learning-rate", "ema-decay", "tta"];

    public static Command Create()
    {
        var defaults = new LrFindOptions();
        var command = new VerbCommand("lr-find",
            "Learning-rate range test: train briefly while the rate grows from 1e-7 to 10, plot the loss and suggest a --learning-rate (takes train's options).");
        var binding = new TrainOptionBinding(command,
            TrainOptionTable.All.Where(e => e.IsStored && !RunOnly.Contains(e.Name) || e.Name == "config"));
        var output = new Option<string?>("--output", "-o") { Description = $"Folder for {PlotName} and {CsvName} (created if needed; default: the current folder).", HelpName = "DIR" };
        var steps = ValueOptions.Number("--steps", OptionKind.Int, "Batches in the sweep (the images are cycled when there are fewer).", defaults.Steps, "N");
        var start = ValueOptions.Number("--start-lr", OptionKind.Double, "Rate of the first batch.", defaults.StartRate, "RATE");
        var end = ValueOptions.Number("--end-lr", OptionKind.Double, "Rate of the last batch.", defaults.EndRate, "RATE");
        command.Add(output);
        command.Add(steps);
        command.Add(start);
        command.Add(end);
        command.Sections.Add(new HelpSection("Sweep", [output, steps, start, end]));

        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = binding.Options(parse, binding.Given(parse));
            var sweep = new LrFindOptions { Steps = parse.GetValue(steps), StartRate = parse.GetValue(start), EndRate = parse.GetValue(end) };

            // On stderr and only on a terminal, as eval's progress: logs get the result lines alone.
            var progress = new Output.LiveLine(terminal.Error);
            bool live = terminal.IsInteractive && !Console.IsErrorRedirected;
            var result = LearningRateFinder.Run(options, sweep, (done, all) => { if (live) progress.Show($"lr-find: batch {done}/{all}"); }, ct);
            progress.Clear();

            var folder = parse.GetValue(output) ?? ".";
            Directory.CreateDirectory(folder);
            var plot = Path.Combine(folder, PlotName);
            var csv = Path.Combine(folder, CsvName);
            LrFindPlot.Save(result, plot);
            AtomicFile.WriteText(csv, Csv(result));
            var o = terminal.Out;
            o.WriteLine($"Swept {result.Rates.Count} batches of {options.BatchSize} from {LrFindPlot.Format(result.Rates[0])} to {LrFindPlot.Format(result.Rates[^1])}" +
                        $" in {result.Seconds:0.0} s{(result.Diverged ? ", stopped when the loss diverged" : "")}.");
            o.WriteLine($"Suggested: --learning-rate {LrFindPlot.Format(result.SuggestedRate)}  (a tenth of the rate with the lowest smoothed loss)");
            o.WriteLine($"Curve:     {Path.GetFullPath(plot)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Csv(LrFindResult result)
    {
        var text = new StringBuilder("step,learning_rate,loss,smoothed_loss\n");
        for (int i = 0; i < result.Rates.Count; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i + 1},{result.Rates[i]:R},{result.Losses[i]:R},{result.SmoothedLosses[i]:R}\n");
        return text.ToString();
    }
}
