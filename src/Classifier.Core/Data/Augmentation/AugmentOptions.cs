
namespace Classifier.Core.Data.Augmentation;

/// <summary>
/// Random changes applied to training images on the fly, with the meanings of Keras' <c>ImageDataGenerator</c>.
/// All zero/false (the default) means no augmentation.
/// </summary>
public sealed record AugmentOptions
{
    /// <summary>Flip left-right with probability 0.5.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Flip upside down with probability 0.5.</summary>
    public bool VerticalFlip { get; init; }

    /// <summary>Rotate by a uniform angle in [-range, range] degrees.</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Shift horizontally by a uniform fraction of the width in [-range, range].</summary>
    public double WidthShift { get; init; }

    /// <summary>Shift vertically by a uniform fraction of the height in [-range, range].</summary>
    public double HeightShift { get; init; }

    /// <summary>Scale each axis by a uniform factor in [1 - range, 1 + range] (below 1 zooms in).</summary>
    public double Zoom { get; init; }

    /// <summary>Multiply pixel values by a uniform factor in [low, high]; null for none.</summary>
    public double[]? Brightness { get; init; }

    /// <summary>
    /// Probability of erasing one random rectangle of each image with random pixel values (Zhong et al., "Random
    /// Erasing Data Augmentation"; torchvision's <c>RandomErasing</c>, timm's <c>--reprob</c>). The rectangle covers
    /// <see cref="ErasingMinArea"/> to <see cref="ErasingMaxArea"/> of the image with an aspect ratio from 0.3 to 3.3.
    /// </summary>
    public double RandomErasing { get; init; }

    /// <summary>Smallest erased area, as a fraction of the image (torchvision's default).</summary>
    public const double ErasingMinArea = 0.02;

    /// <summary>Largest erased area, as a fraction of the image (torchvision's default).</summary>
    public const double ErasingMaxArea = 0.33;

    /// <summary>Widest erased rectangle's width/height (the narrowest is its inverse).</summary>
    public const double ErasingMaxAspect = 3.3;

    /// <summary>True when any augmentation is on.</summary>
    public bool Any => HorizontalFlip || VerticalFlip || RotationDegrees > 0 || WidthShift > 0 || HeightShift > 0 || Zoom > 0 || Brightness is not null || RandomErasing > 0;

    /// <summary>True when a geometric (resampling) transform is on.</summary>
    public bool Geometric => RotationDegrees > 0 || WidthShift > 0 || HeightShift > 0 || Zoom > 0;

    /// <summary>Checks ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (RotationDegrees is < 0 or > 180) throw new ClassifierException($"--rotation-range {RotationDegrees}: give degrees from 0 to 180.");
        if (WidthShift is < 0 or >= 1) throw new ClassifierException($"--width-shift-range {WidthShift}: give a fraction of the width from 0 to below 1.");
        if (HeightShift is < 0 or >= 1) throw new ClassifierException($"--height-shift-range {HeightShift}: give a fraction of the height from 0 to below 1.");
        if (Zoom is < 0 or >= 1) throw new ClassifierException($"--zoom-range {Zoom}: give a fraction from 0 to below 1 (0.2 zooms by 0.8 to 1.2).");
        if (Brightness is not null && (Brightness.Length != 2 || Brightness[0] < 0 || Brightness[1] < Brightness[0]))
            throw new ClassifierException("--brightness-range: give two factors LOW,HIGH with 0 <= LOW <= HIGH, e.g. 0.8,1.2.");
        if (RandomErasing is < 0 or > 1 || double.IsNaN(RandomErasing))
            throw new ClassifierException($"--random-erasing {RandomErasing}: give a probability from 0 to 1 (0.5 erases a rectangle in about half the images).");
    }
}
