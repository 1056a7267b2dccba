namespace Classifier.Cli;

/// <summary>Process exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command line could not be parsed (unknown option, missing argument, wrong type).</summary>
    public const int Usage = 1;

    /// <summary>
    /// The input was refused: a missing or bad data folder, model file or option value; with --strict an unreadable
    /// image; a run folder in use by another classify; an output folder that cannot be written or is a symbolic link;
    /// an eval with no readable image (docs/bad-input.md).
    /// </summary>
    public const int InputError = 2;

    /// <summary>The evaluation ran but the model fell short of --min-accuracy or --min-f1 (the CI gate).</summary>
    public const int BelowThreshold = 3;

    /// <summary><c>check</c> found errors in the data, or <c>fuzz</c> found a decoder failure; the report lists them.</summary>
    public const int ProblemsFound = 4;

    /// <summary>Stopped by Ctrl+C (SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
