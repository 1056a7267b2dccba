using Classifier.Core.Data;

namespace Classifier.Core.Model;

/// <summary>
/// Sane bounds for every field of a model file's info section, checked before anything is built from it. The
/// checksums only prove that a file is intact, not that whoever wrote it was honest: a crafted info section with a
/// recomputed SHA-256 could otherwise ask for a network of 137 GB or crash libtorch. Returns the reason a field is out
/// of bounds, or null.
/// </summary>
internal static class ModelInfoBounds
{
    /// <summary>Largest input side any architecture of this tool accepts (training allows at most 1024).</summary>
    public const int MaxImageSize = 1024;

    /// <summary>Most classes a model file may name.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>Longest class name, in characters.</summary>
    public const int MaxClassNameLength = 1024;

    /// <summary>Longest free-text field (architecture, versions, metric names), in characters.</summary>
    private const int MaxTextLength = 256;

    /// <summary>The reason <paramref name="info"/> is out of bounds, or null when every field is sane.</summary>
    public static string? Problem(ModelInfo info)
    {
        if (string.IsNullOrEmpty(info.Architecture) || info.Architecture.Length > MaxTextLength)
            return "its architecture name is empty or too long";
        if (info.ClassNames.Count is < 2 or > MaxClasses)
            return $"it names {info.ClassNames.Count:N0} classes (2 to {MaxClasses:N0} are possible)";
        if (info.ClassNames.Any(n => string.IsNullOrEmpty(n) || n.Length > MaxClassNameLength))
            return $"a class name is empty or longer than {MaxClassNameLength:N0} characters";
        if (info.ClassNames.Distinct(StringComparer.Ordinal).Count() != info.ClassNames.Count)
            return "a class name appears twice";
        var p = info.Preprocessing;
        if (p.ImageSize is < 1 or > MaxImageSize)
            return $"its image size {p.ImageSize} px is outside 1 to {MaxImageSize} px";
        if (!Enum.IsDefined(p.Interpolation))
            return $"its interpolation {(int)p.Interpolation} is unknown";
        if (!float.IsFinite(p.Scale) || p.Scale <= 0 || p.Scale > 1)
            return $"its pixel scale {p.Scale} is outside (0, 1]";
        if (info.Epoch is < 0 or > 1_000_000)
            return $"its epoch {info.Epoch} is impossible";
        if (info.Metrics is null || info.Metrics.Count > 64 || info.Metrics.Keys.Any(k => k.Length > MaxTextLength))
            return "its metrics are missing or malformed";
        if (info.ToolVersion is null || info.ToolVersion.Length > MaxTextLength
            || info.TorchSharpVersion is null || info.TorchSharpVersion.Length > MaxTextLength)
            return "its version fields are missing or too long";
        if (!Enum.IsDefined(info.TestTimeAugmentation))
            return $"its test-time augmentation {(int)info.TestTimeAugmentation} is unknown";
        return ArchitectureProblem(info);
    }

    /// <summary>
    /// The architecture's own limits: the seed CNN needs at least <see cref="KerasRecipeCnn.MinimumImageSize"/> px.
    /// </summary>
    private static string? ArchitectureProblem(ModelInfo info) => info.Architecture switch
    {
        ModelInfo.KerasRecipeCnnArchitecture when info.Preprocessing.ImageSize < KerasRecipeCnn.MinimumImageSize =>
            $"its image size {info.Preprocessing.ImageSize} px is below the {KerasRecipeCnn.MinimumImageSize} px its network needs",
        _ => null,
    };

    /// <summary>
    /// Whether a weights section of <paramref name="weightBytes"/> bytes can hold the network <paramref name="info"/>
    /// describes (float32 parameters, 4 bytes each), so a lying image size or class count is caught before a network
    /// of that size is allocated. Null when it can, or when the architecture is not one whose size is known here.
    /// </summary>
    public static string? WeightsProblem(ModelInfo info, long weightBytes)
    {
        if (info.Architecture != ModelInfo.KerasRecipeCnnArchitecture) return null;
        long parameters = ModelSummary.ForKerasRecipeCnn(info.Preprocessing.ImageSize, info.ClassNames.Count).TotalParameters;
        return parameters * sizeof(float) > weightBytes
            ? $"its info describes a network of {parameters:N0} parameters ({parameters * 4.0 / (1 << 20):N1} MB) but its weights section holds {weightBytes / (double)(1 << 20):N1} MB"
            : null;
    }
}
