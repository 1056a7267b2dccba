namespace Classifier.Cli.Output;

/// <summary>
/// GitHub Actions' job summary: when <c>GITHUB_STEP_SUMMARY</c> names a file, Markdown is appended to it. The runner
/// owns that file and reads it after the step, so it is appended to in place rather than replaced.
/// </summary>
internal static class StepSummary
{
    public const string Variable = "GITHUB_STEP_SUMMARY";

    /// <summary>Appends <paramref name="markdown"/> when the variable is set; a failure is a warning, not an error.</summary>
    public static void Append(Terminal terminal, Func<string> markdown)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path)) return;
        try
        {
            File.AppendAllText(path, markdown());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            terminal.Error.WriteLine($"warning: could not append to {Variable} '{path}': {e.Message}");
        }
    }
}
