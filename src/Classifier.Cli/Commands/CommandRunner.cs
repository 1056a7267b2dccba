using Classifier.Core.Reporting;
using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core;

namespace Classifier.Cli.Commands;

/// <summary>
/// The CLI's one boundary for known errors: runs a verb's body on the main thread (see <see cref="MainThread"/>; the
/// command line keeps running asynchronously, so Ctrl+C is handled, and all torch work stays on one thread), turns
/// <see cref="ClassifierException"/> into a one-line message and exit code 2, and cancellation into exit code 130. A
/// write to stdout that fails (<see cref="StandardOutputException"/>) ends the verb: exit 0 without a word when the
/// pipe's reader left, one line and exit 2 otherwise (a full disk).
/// </summary>
internal static class CommandRunner
{
    /// <summary>Runs <paramref name="body"/> with the invocation's output and error writers.</summary>
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellation,
        Func<Terminal, CancellationToken, int> body)
    {
        var terminal = new Terminal(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        try
        {
            return await MainThread.RunAsync(() => body(terminal, cancellation));
        }
        catch (ClassifierException e)
        {
            terminal.Error.WriteLine($"error: {ControlCharacters.Shorten(ControlCharacters.Escape(e.Message))}");
            return ExitCodes.InputError;
        }
        catch (StandardOutputException e) when (e.IsClosedPipe)
        {
            // `predict | head -1`: the reader has what it wanted; stop at once, quietly, as grep and find do.
            return ExitCodes.Ok;
        }
        catch (StandardOutputException e)
        {
            terminal.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InputError;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            terminal.Error.WriteLine("Stopped by user.");
            return ExitCodes.Interrupted;
        }
    }
}
