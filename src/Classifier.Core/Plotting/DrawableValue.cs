namespace Classifier.Core.Plotting;

/// <summary>
/// Which history values a curve can show. A crafted or diverged history may hold values such as 1e308 and -1e308,
/// whose span overflows to infinity and breaks the axis scaling; such points (and NaN and infinities) are left out,
/// the rest of the curve is drawn.
/// </summary>
internal static class DrawableValue
{
    /// <summary>Largest magnitude drawn; far above any accuracy, loss or learning rate a real run records.</summary>
    public const double Limit = 1e12;

    /// <summary>True when <paramref name="value"/> can be placed on an axis.</summary>
    public static bool Is(double value) => double.IsFinite(value) && Math.Abs(value) <= Limit;
}
