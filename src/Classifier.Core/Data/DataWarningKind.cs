namespace Classifier.Core.Data;

/// <summary>What a <see cref="DataWarning"/> is about (spelled snake_case in JSON, as <see cref="EnumValues"/> does).</summary>
public enum DataWarningKind
{
    /// <summary>The largest class has at least three times the images of the smallest.</summary>
    ClassImbalance,

    /// <summary>A class folder held no image and was left out.</summary>
    EmptyClass,

    /// <summary>Class names that look alike (they differ only in case or Unicode normalisation).</summary>
    LookAlikeClassNames,

    /// <summary>An image file could not be read and was skipped.</summary>
    SkippedImage,
}
