using Classifier.Cli;

namespace Classifier.Tests.Support;

/// <summary>Runs the real command tree in process and captures what it prints.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ClassifyCli.InvokeAsync(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
