using System.CommandLine;
using System.CommandLine.Invocation;

namespace Classifier.Cli.Help;

/// <summary><c>--help</c> on any verb (hidden ones included): <see cref="HelpWriter"/>; on the root: <see cref="Overview"/>.</summary>
internal sealed class HelpAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var command = parseResult.CommandResult.Command;
        if (command is RootCommand root) Overview.Write(output, root);
        else HelpWriter.Write(output, command, $"classify {command.Name}", HelpWriter.WidthFor(output));
        return ExitCodes.Ok;
    }
}
