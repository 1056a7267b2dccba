using Classifier.Core.Data;
using Classifier.Core.Reporting;

namespace Classifier.Cli.Output;

/// <summary>A data warning as a line of text on stderr (train's views and eval word them alike).</summary>
internal static class WarningLine
{
    /// <summary><c>warning: MESSAGE</c>, with the names in the message escaped for a terminal.</summary>
    public static string Of(DataWarning warning) => $"warning: {ControlCharacters.Escape(warning.Message)}";
}
