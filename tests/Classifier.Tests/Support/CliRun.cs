using Classifier.Cli;

namespace Classifier.Tests.Support;

/// <summary>Runs the real command tree in process and captures what it prints.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static Task<CliRun> Of(params string[] args) => Of(CancellationToken.None, args);

    /// <summary>Runs <paramref name="args"/> with <paramref name="cancellation"/> as the command's Ctrl+C / SIGTERM.</summary>
    public static async Task<CliRun> Of(CancellationToken cancellation, params string[] args)
    {
        // Synchronized as Console.Out and Console.Error are: the verbs' worker threads (decoding, inspection) write
        // warnings while the main thread prints, and a bare StringWriter is not safe for that.
        var output = new StringWriter();
        var error = new StringWriter();
        var syncOutput = TextWriter.Synchronized(output);
        var syncError = TextWriter.Synchronized(error);
        int code = await ClassifyCli.InvokeAsync(args, syncOutput, syncError, cancellation);
        lock (syncOutput)
        lock (syncError)
            return new CliRun(code, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
