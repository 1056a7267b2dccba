namespace Classifier.Core.Checking;

/// <summary>How serious a finding is. Errors make <c>classify check</c> fail; warnings and notes do not.</summary>
public enum Severity
{
    /// <summary>Training would skip or refuse this, or its results would be wrong (label conflicts, leakage).</summary>
    Error,

    /// <summary>Training works, but the data is probably not what was meant (tiny images, duplicates, imbalance).</summary>
    Warning,
}
