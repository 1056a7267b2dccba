using Classifier.Core.Data;

namespace Classifier.Core.Model;

/// <summary>
/// Sane bounds for every field of a model file's info section, checked before anything is built from it. The
/// checksums only prove that a file is intact, not that whoever wrote it was honest: a crafted info section with a
/// recomputed SHA-256 could otherwise ask for a network of 137 GB or crash libtorch. Returns the reason a field is out
/// of bounds, or null. The one place a model file's info is checked (<see cref="ModelFile"/> and
/// <see cref="Zoo.NetworkRegistry.Create"/> call it).
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
        if (!Enum.IsDefined(p.ChannelOrder))
            return $"its channel order {(int)p.ChannelOrder} is unknown";
        if (p.Mean is not { Length: Preprocessing.Channels } || p.Mean.Any(m => !float.IsFinite(m) || Math.Abs(m) > 1e6))
            return "its mean is not three finite numbers";
        if (p.Std is not { Length: Preprocessing.Channels } || p.Std.Any(s => !float.IsFinite(s) || s <= 1e-6 || s > 1e6))
            return "its std is not three positive numbers";
        return ArchitectureProblem(info);
    }

    /// <summary>Recorded hyper-parameters must agree with the class names and preprocessing they were derived from.</summary>
    public static string? HyperparametersProblem(ModelInfo info)
    {
        var h = info.EffectiveHyperparameters;
        if (h.ClassCount != info.ClassNames.Count)
            return $"its network has {h.ClassCount} outputs for {info.ClassNames.Count} class names";
        return h.ImageSize != info.Preprocessing.ImageSize
            ? $"its network is built for {h.ImageSize} px but its preprocessing gives {info.Preprocessing.ImageSize} px"
            : null;
    }

    /// <summary>The architecture's own limits (<see cref="Zoo.NetworkSpec.Accepts"/>): known, and the input side it takes.</summary>
    private static string? ArchitectureProblem(ModelInfo info)
    {
        if (Zoo.NetworkRegistry.Find(info.Architecture) is not { } spec)
            return $"it holds a '{info.Architecture}' network, which this version of classify does not know (it knows {string.Join(", ", Zoo.NetworkRegistry.Names)})";
        int size = info.Preprocessing.ImageSize;
        if (size < spec.MinimumImageSize) return $"its image size {size} px is below the {spec.MinimumImageSize} px its network needs";
        return spec.Accepts(size) ? null : $"its image size {size} px is outside what {spec.Name} takes ({spec.AcceptedSizes})";
    }

    /// <summary>
    /// Whether a weights section of <paramref name="weightBytes"/> bytes can hold the network <paramref name="info"/>
    /// describes (float32 parameters, 4 bytes each), so a lying image size or class count is caught before a network
    /// of that size is allocated. Null when it can, or when the architecture's size is not known without building it
    /// (its <see cref="Zoo.NetworkSpec.Summary"/> is null).
    /// </summary>
    public static string? WeightsProblem(ModelInfo info, long weightBytes)
    {
        if (Zoo.NetworkRegistry.Find(info.Architecture)?.Summary is not { } summary) return null;
        long parameters = summary(info.ClassNames.Count, info.Preprocessing.ImageSize).TotalParameters;
        return parameters * sizeof(float) > weightBytes
            ? $"its info describes a network of {parameters:N0} parameters ({parameters * 4.0 / (1 << 20):N1} MB) but its weights section holds {weightBytes / (double)(1 << 20):N1} MB"
            : null;
    }
}
