namespace Classifier.Core.Reporting;

/// <summary>
/// GitHub Actions' job summary: when <c>GITHUB_STEP_SUMMARY</c> names a file, Markdown is appended to it. The runner
/// owns that file and reads it after the step, so it is appended to in place rather than replaced.
/// </summary>
public static class StepSummary
{
    /// <summary>The environment variable that names the summary file.</summary>
    public const string Variable = "GITHUB_STEP_SUMMARY";

    /// <summary>
    /// Appends <paramref name="markdown"/> when the variable is set (built only then). A failure is a warning, not an
    /// error: the warning's text is returned for the caller to show; null when it was appended or not asked for.
    /// </summary>
    public static string? Append(Func<string> markdown)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path)) return null;
        try
        {
            File.AppendAllText(path, markdown());
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"warning: could not append to {Variable} '{path}': {e.Message}";
        }
    }
}
