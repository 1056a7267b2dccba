using System.CommandLine;
using Classifier.Cli.Help;
using Classifier.Core;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Options;
using Classifier.Core.Reporting;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify train DATA_DIR</c>: trains the seed CNN and writes a run folder; <c>--resume RUN_DIR</c> continues
/// one; <c>--config FILE</c> takes options from a JSON file (flags given on the command line win). The options are
/// built from <see cref="TrainOptionTable"/>, which also says which of them <c>--resume</c> accepts.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new VerbCommand("train", "Train the seed CNN on a folder of images; writes the model, history.csv and curves.png to a run folder.");
        var symbols = new Dictionary<TrainOption, Symbol>();
        Argument<string?>? data = null;
        foreach (var entry in TrainOptionTable.All)
        {
            if (entry.IsArgument)
            {
                data = new Argument<string?>(entry.Placeholder) { Description = entry.Help, Arity = ArgumentArity.ZeroOrOne };
                command.Add(data);
                symbols[entry] = data;
                continue;
            }
            var option = ValueOptions.FromTable(entry);
            command.Add(option);
            symbols[entry] = option;
            if (!entry.Kind.IsFlag) command.DefaultTexts[option] = entry.ShownDefault;
        }
        foreach (var group in Enum.GetValues<OptionGroup>())
            command.Sections.Add(new HelpSection(group.ToString(),
                TrainOptionTable.All.Where(e => e.Group == group && !e.IsArgument).Select(e => (Option)symbols[e]).ToList()));

        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var given = TrainOptionTable.All.Where(e => parse.GetResult(symbols[e]) switch
            {
                System.CommandLine.Parsing.OptionResult o => !o.Implicit,
                System.CommandLine.Parsing.ArgumentResult a => a.Tokens.Count > 0,
                _ => false,
            }).ToList();
            object? Value(string name) => given.FirstOrDefault(e => e.Name == name) is { } entry
                ? entry.IsArgument ? parse.GetValue(data!) : ValueOptions.Value(parse, entry, (Option)symbols[entry])
                : null;

            bool json = Value("log-format") is LogFormat.Json;
            var outputs = new TrainSession(terminal, json, Value("tensorboard") is string logDir ? new TensorBoardObserver(logDir) : null);
            if (Value("resume") is string runDir)
            {
                TrainOptionTable.CheckResumable(given);
                return outputs.Train(observer => Trainer.Resume(runDir, (int?)Value("epochs"), observer, ct), ct);
            }

            var options = Value("config") is string file ? TrainOptionsFile.Read(file) : new TrainOptions();
            foreach (var entry in given.Where(e => e.IsStored))
                options = entry.Set(options, entry.IsArgument ? parse.GetValue(data!) : ValueOptions.Value(parse, entry, (Option)symbols[entry]));

            if (Value("preview-augment") is int count)
            {
                var path = Path.Combine(options.OutputDir ?? ".", "augment-preview.png");
                int shown = AugmentPreview.Write(options, count, path);
                terminal.Out.WriteLine($"Wrote {shown} augmented training images to {Path.GetFullPath(path)}");
                return ExitCodes.Ok;
            }
            return outputs.Train(observer => new Trainer(options, observer).Run(ct), ct);
        }));
        return command;
    }
}
