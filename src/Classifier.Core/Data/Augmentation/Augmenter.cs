using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Data.Augmentation;

/// <summary>
/// Applies <see cref="AugmentOptions"/> to a whole batch inside libtorch: flips by per-image masks, rotation, shift
/// and zoom as one affine resampling (bilinear, edge pixels repeated like Keras' fill_mode="nearest"), brightness
/// as a clamped factor. Randomness comes from libtorch's generator, which the trainer seeds per epoch, so augmented
/// runs are reproducible and resumable. Call inside the caller's dispose scope.
/// </summary>
public sealed class Augmenter(AugmentOptions options)
{
    /// <summary>The options applied.</summary>
    public AugmentOptions Options { get; } = options;

    /// <summary>Augments <paramref name="images"/> [N, 3, H, W] float in [0, 1]; returns a tensor of the same shape.</summary>
    public Tensor Apply(Tensor images)
    {
        if (!Options.Any) return images;
        long n = images.shape[0];
        var x = images;
        if (Options.HorizontalFlip) x = FlipSome(x, dim: 3, n);
        if (Options.VerticalFlip) x = FlipSome(x, dim: 2, n);
        if (Options.Geometric) x = Affine(x, n);
        if (Options.Brightness is [var low, var high])
        {
            var factor = Uniform(n, low, high).view(n, 1, 1, 1);  // [N, 1, 1, 1]
            using var zero = 0.0.ToScalar();
            using var one = 1.0.ToScalar();
            x = x.mul(factor).clamp_(zero, one);
        }
        return x;
    }

    private static Tensor FlipSome(Tensor x, long dim, long n)
    {
        using var half = 0.5.ToScalar();
        var flip = rand(n).lt(half).view(n, 1, 1, 1);  // [N, 1, 1, 1], true for about half the images
        return where(flip, x.flip(dim), x);
    }

    private Tensor Affine(Tensor x, long n)
    {
        // theta maps output coordinates (in [-1, 1]) to input coordinates: a scale below 1 samples a smaller area,
        // which zooms in, as Keras' zoom_range does; a shift of f of the width is 2f in normalised coordinates.
        double radians = Options.RotationDegrees * Math.PI / 180;
        var angle = Uniform(n, -radians, radians);
        var zoomX = Uniform(n, 1 - Options.Zoom, 1 + Options.Zoom);
        var zoomY = Uniform(n, 1 - Options.Zoom, 1 + Options.Zoom);
        var shiftX = Uniform(n, -2 * Options.WidthShift, 2 * Options.WidthShift);
        var shiftY = Uniform(n, -2 * Options.HeightShift, 2 * Options.HeightShift);
        var cos = angle.cos();
        var sin = angle.sin();
        var theta = stack([
            stack([cos * zoomX, -sin * zoomY, shiftX], 1),
            stack([sin * zoomX, cos * zoomY, shiftY], 1),
        ], 1);                                                               // [N, 2, 3]
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }

    /// <summary>
    /// N values uniform in [low, high]. Scalars are explicit locals: an implicitly converted one can be finalized
    /// while libtorch still reads it (see AdamOptimizer).
    /// </summary>
    private static Tensor Uniform(long n, double low, double high)
    {
        using var width = (high - low).ToScalar();
        using var offset = low.ToScalar();
        using var one = 1.0.ToScalar();
        return rand(n, dtype: ScalarType.Float32).mul_(width).add_(offset, one);
    }
}
