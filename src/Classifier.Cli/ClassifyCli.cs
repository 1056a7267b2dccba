using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Classifier.Cli.Commands;

namespace Classifier.Cli;

/// <summary>The command tree and how it is invoked; tests call <see cref="InvokeAsync"/> in process.</summary>
public static class ClassifyCli
{
    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("classify: train image classifiers on a folder of images, evaluate them and plot their training curves.")
        {
            TrainCommand.Create(),
            LrFindCommand.Create(),
            EvalCommand.Create(),
            PredictCommand.Create(),
            ServeCommand.Create(),
            PlotCommand.Create(),
            RunsCommand.Create(),
            BenchmarkCommand.Create(),
            ModelsCommand.Create(),
            ExportCommand.Create(),
            CheckCommand.Create(),
            FuzzCommand.Create(),
        };
        // The built-in --version prints only the assembly version; ours adds TorchSharp and libtorch.
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        // Grouped, wrapped help on every verb (hidden ones too); the root's is the overview.
        root.Options.OfType<HelpOption>().Single().Action = new Help.HelpAction();
        // 'classify' alone: the verbs and the commands most runs start with, and exit 1 as nothing was run.
        root.SetAction(parse =>
        {
            Help.Overview.Write(parse.InvocationConfiguration.Output, root);
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. <paramref name="output"/> and <paramref name="error"/> default to the
    /// console. Returns the process exit code (see <see cref="ExitCodes"/>).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancellation = default)
    {
        // '@file' response files are off: '@' is a legal first character of image and folder names.
        var parse = CreateRootCommand().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        // A command line that cannot run: one line saying why and one pointing to the help, both on stderr, so
        // stdout (often redirected to a results file) stays empty. --help, --version and the [suggest] directive
        // run whatever else is there.
        bool runsTheCommand = parse.Action is ParseErrorAction || ReferenceEquals(parse.Action, parse.CommandResult.Command.Action);
        if (runsTheCommand && UsageErrors.Describe(parse) is { } problem)
        {
            configuration.Error.WriteLine($"error: {problem}");
            configuration.Error.WriteLine($"Run '{HelpCommandFor(parse)} --help' to see the options.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration, cancellation);
    }

    private static string HelpCommandFor(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
            names.Insert(0, result.Command.Name);
        names[0] = "classify";
        return string.Join(' ', names);
    }
}
