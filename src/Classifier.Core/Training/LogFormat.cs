namespace Classifier.Core.Training;

/// <summary>How <c>classify train</c> reports epochs (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>Lines for people.</summary>
    Text,

    /// <summary>One JSON object per epoch on stdout (JSON Lines).</summary>
    Json,
}
