namespace Classifier.Core;

/// <summary>
/// A problem with the user's input (a path, an option value, a data folder or a model file) that the user can
/// fix. The message names the path or value and says what to do; the CLI prints it as one line and exits non-zero.
/// </summary>
public sealed class ClassifierException : Exception
{
    /// <summary>Creates the exception with a message meant for the user.</summary>
    public ClassifierException(string message) : base(message) { }

    /// <summary>Creates the exception with a message meant for the user and the error that caused it.</summary>
    public ClassifierException(string message, Exception inner) : base(message, inner) { }
}
