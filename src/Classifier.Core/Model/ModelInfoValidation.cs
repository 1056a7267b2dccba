using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;

namespace Classifier.Core.Model;

/// <summary>
/// The one check of a <see cref="ModelInfo"/> before a network is built from it or its preprocessing is used: a model
/// file can be crafted, and impossible sizes must become one clear message, never a native exception or a huge allocation.
/// </summary>
public static class ModelInfoValidation
{
    /// <summary>Most classes a model may have.</summary>
    public const int MaximumClasses = 100_000;

    /// <summary>
    /// Checks every field of <paramref name="info"/> against sane bounds and its architecture's own limits; returns the
    /// architecture. Throws <see cref="ClassifierException"/> naming <paramref name="source"/> (the file) and the field.
    /// </summary>
    public static NetworkSpec Check(ModelInfo info, string source)
    {
        ClassifierException Bad(string what) => new($"Model file '{source}' is not usable: {what}. Retrain, or use another copy of the file.");

        var spec = NetworkRegistry.Find(info.Architecture)
                   ?? throw new ClassifierException(
                       $"Model file '{source}' holds a '{info.Architecture}' network, which this version of classify does not know (it knows {string.Join(", ", NetworkRegistry.Names)}).");
        if (info.ClassNames is null || info.ClassNames.Count is < 2 or > MaximumClasses)
            throw Bad($"it has {info.ClassNames?.Count ?? 0} class names (2 to {MaximumClasses:N0} allowed)");
        if (info.ClassNames.Any(string.IsNullOrEmpty)) throw Bad("a class name is empty");
        if (info.ClassNames.Distinct(StringComparer.Ordinal).Count() != info.ClassNames.Count) throw Bad("two classes have the same name");

        var p = info.Preprocessing ?? throw Bad("it has no preprocessing");
        if (!spec.Accepts(p.ImageSize)) throw Bad($"image size {p.ImageSize} is outside what {spec.Name} accepts ({spec.AcceptedSizes})");
        if (!Enum.IsDefined(p.Interpolation)) throw Bad($"interpolation {(int)p.Interpolation} is unknown");
        if (!Enum.IsDefined(p.ChannelOrder)) throw Bad($"channel order {(int)p.ChannelOrder} is unknown");
        if (!float.IsFinite(p.Scale) || p.Scale <= 0 || p.Scale > 1000) throw Bad($"scale {p.Scale} is not a positive factor up to 1000");
        if (p.Mean is not { Length: Preprocessing.Channels } || p.Mean.Any(m => !float.IsFinite(m) || Math.Abs(m) > 1e6))
            throw Bad("its mean is not three finite numbers");
        if (p.Std is not { Length: Preprocessing.Channels } || p.Std.Any(s => !float.IsFinite(s) || s <= 1e-6 || s > 1e6))
            throw Bad("its std is not three positive numbers");

        var h = info.EffectiveHyperparameters;
        if (h.ClassCount != info.ClassNames.Count) throw Bad($"its network has {h.ClassCount} outputs for {info.ClassNames.Count} class names");
        if (h.ImageSize != p.ImageSize) throw Bad($"its network is built for {h.ImageSize} px but its preprocessing gives {p.ImageSize} px");
        if (info.Epoch < 0) throw Bad($"epoch {info.Epoch} is negative");
        if (!Enum.IsDefined(info.TestTimeAugmentation)) throw Bad($"test-time augmentation {(int)info.TestTimeAugmentation} is unknown");
        return spec;
    }
}
