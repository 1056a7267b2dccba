namespace Classifier.Cli.Output;

/// <summary>
/// How a verb writes its result on stdout (<c>--format</c>, spelled as <see cref="Core.EnumValues"/> spells it): each
/// verb offers the ones it can write.
/// </summary>
internal enum OutputFormat
{
    /// <summary>Aligned columns for people.</summary>
    Table,

    /// <summary>Comma-separated rows with a header (predict).</summary>
    Csv,

    /// <summary>JSON for scripts: one object (eval, benchmark) or one object per line (predict).</summary>
    Json,
}
