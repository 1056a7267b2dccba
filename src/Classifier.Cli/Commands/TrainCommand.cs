using System.CommandLine;
using Classifier.Cli.Help;
using Classifier.Core;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Options;
using Classifier.Core.Reporting;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify train DATA_DIR</c>: trains a network of the model zoo (the seed CNN by default) and writes a run folder; <c>--resume RUN_DIR</c> continues
/// one; <c>--config FILE</c> takes options from a JSON file (flags given on the command line win). The options are
/// built from <see cref="TrainOptionTable"/>, which also says which of them <c>--resume</c> accepts.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new VerbCommand("train", "Train an image classifier (the seed CNN, or a zoo network with --model) on a folder of images; writes the model, history.csv and curves.png to a run folder.");
        var binding = new TrainOptionBinding(command, TrainOptionTable.All);

        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var given = binding.Given(parse);
            object? Value(string name) => given.FirstOrDefault(e => e.Name == name) is { } entry ? binding.Value(parse, entry) : null;

            bool json = Value("log-format") is LogFormat.Json;
            var outputs = new TrainSession(terminal, json, Value("tensorboard") is string logDir ? new TensorBoardObserver(logDir) : null);
            if (Value("resume") is string runDir)
            {
                TrainOptionTable.CheckResumable(given);
                return outputs.Train(observer => Trainer.Resume(runDir, (int?)Value("epochs"), observer, ct), ct);
            }

            var options = binding.Options(parse, given);

            if (Value("preview-augment") is int count)
            {
                var path = Path.Combine(options.OutputDir ?? ".", "augment-preview.png");
                int shown = AugmentPreview.Write(options, count, path, ct);
                terminal.Out.WriteLine($"Wrote {shown} augmented training images to {Path.GetFullPath(path)}");
                return ExitCodes.Ok;
            }
            return outputs.Train(observer => new Trainer(options, observer).Run(ct), ct);
        }));
        return command;
    }
}
