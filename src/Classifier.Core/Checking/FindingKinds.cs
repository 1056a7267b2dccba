namespace Classifier.Core.Checking;

/// <summary>The kinds of finding, as they appear in the JSON output (stable names for scripts).</summary>
public static class FindingKinds
{
    /// <summary>A zero-byte file (error).</summary>
    public const string EmptyFile = "empty-file";

    /// <summary>Content that is not a PNG, JPEG, GIF, BMP, TIFF or WebP image (error).</summary>
    public const string UnsupportedFormat = "unsupported-format";

    /// <summary>A truncated or damaged image, including a bad checksum (error).</summary>
    public const string Corrupt = "corrupt";

    /// <summary>A header stating more pixels than <c>--max-pixels</c>, or an impossible size (error).</summary>
    public const string TooLarge = "too-large";

    /// <summary>A file that cannot be opened (permissions, I/O error) (error).</summary>
    public const string Unreadable = "unreadable";

    /// <summary>The same bytes filed under two or more classes (error).</summary>
    public const string LabelConflict = "label-conflict";

    /// <summary>The same bytes in the training and the validation data (error).</summary>
    public const string Leakage = "leakage";

    /// <summary>A folder with fewer than two classes that hold images (error).</summary>
    public const string TooFewClasses = "too-few-classes";

    /// <summary>Training and validation folders with different class folders (error).</summary>
    public const string ClassMismatch = "class-mismatch";

    /// <summary>An image smaller than <c>--min-side</c> on a side (warning).</summary>
    public const string Tiny = "tiny";

    /// <summary>Content in another format than the extension says; it is read by its content (warning).</summary>
    public const string ExtensionMismatch = "extension-mismatch";

    /// <summary>Class names that differ only in case or Unicode normalisation, such as Cat and cat (warning).</summary>
    public const string LookAlikeClasses = "look-alike-classes";

    /// <summary>Identical copies of one file inside one class (warning).</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A class folder without images, left out of training (warning).</summary>
    public const string EmptyClass = "empty-class";

    /// <summary>A class whose files are all unreadable (warning; the files themselves are errors).</summary>
    public const string NoReadableImage = "no-readable-image";

    /// <summary>Largest class at least <c>--imbalance-ratio</c> times the smallest (warning).</summary>
    public const string Imbalance = "imbalance";
}
