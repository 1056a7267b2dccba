using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Data.Augmentation;

/// <summary>
/// Applies <see cref="AugmentOptions"/> to a whole batch inside libtorch: flips by per-image masks, rotation, shift
/// and zoom as one affine resampling (bilinear, edge pixels repeated like Keras' fill_mode="nearest"), brightness
/// as a clamped factor, random erasing last (so the erased rectangle is never resampled). Randomness comes from
/// libtorch's generator, which the trainer seeds per epoch, so augmented runs are reproducible and resumable. Call
/// inside the caller's dispose scope.
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
        if (Options.RandomErasing > 0) x = Erase(x, n);
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
    /// With probability <see cref="AugmentOptions.RandomErasing"/> per image, replaces one rectangle with uniform
    /// random values in [0, 1] per pixel and channel. Area and log-aspect are drawn uniformly as torchvision does;
    /// where the drawn rectangle would not fit, its sides are cut to the image (torchvision redraws instead).
    /// </summary>
    private Tensor Erase(Tensor x, long n)
    {
        long height = x.shape[2], width = x.shape[3];
        using var probability = Options.RandomErasing.ToScalar();
        using var pixels = ((double)(height * width)).ToScalar();
        using var one = 1.0.ToScalar();
        using var heightScalar = ((double)height).ToScalar();
        using var widthScalar = ((double)width).ToScalar();
        var erase = rand(n).lt(probability);                                                   // [N]
        var area = Uniform(n, AugmentOptions.ErasingMinArea, AugmentOptions.ErasingMaxArea).mul_(pixels);
        double logAspect = Math.Log(AugmentOptions.ErasingMaxAspect);
        var aspect = Uniform(n, -logAspect, logAspect).exp_();                                 // width / height
        var h = area.div(aspect).sqrt_().round_().clamp_(one, heightScalar);                   // [N] in [1, H]
        var w = area.mul(aspect).sqrt_().round_().clamp_(one, widthScalar);
        var top = rand(n).mul_(h.neg().add_(heightScalar).add_(one)).floor_();                 // [N] in [0, H - h]
        var left = rand(n).mul_(w.neg().add_(widthScalar).add_(one)).floor_();
        var rows = arange(height, dtype: ScalarType.Float32).view(1, height, 1);               // [1, H, 1]
        var cols = arange(width, dtype: ScalarType.Float32).view(1, 1, width);                 // [1, 1, W]
        var inside = rows.ge(top.view(n, 1, 1)).logical_and(rows.lt(top.add(h).view(n, 1, 1)))
            .logical_and(cols.ge(left.view(n, 1, 1))).logical_and(cols.lt(left.add(w).view(n, 1, 1)))
            .logical_and(erase.view(n, 1, 1))
            .unsqueeze(1);                                                                     // [N, 1, H, W]
        return where(inside, rand_like(x), x);
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
