using Classifier.Core.Data.Augmentation;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Data.Augmentation;

public sealed class AugmenterTests
{
    private const int Side = 16;

    public AugmenterTests()
    {
        TorchRuntime.Initialize();
        manual_seed(3);
    }

    /// <summary>N copies of an image that is black except a bright square at rows/cols [r0, r1).</summary>
    private static Tensor Squares(int n, int r0, int r1, int c0, int c1)
    {
        var x = zeros(n, 3, Side, Side);
        x.index_put_(ones(1), TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(r0, r1), TensorIndex.Slice(c0, c1));
        return x;
    }

    private static (double Row, double Col) Centroid(Tensor image)
    {
        var gray = image.mean([0]);  // [H, W]
        double total = gray.sum().item<float>();
        var rows = arange(Side, dtype: ScalarType.Float32).view(Side, 1);
        var cols = arange(Side, dtype: ScalarType.Float32).view(1, Side);
        return (gray.mul(rows).sum().item<float>() / total, gray.mul(cols).sum().item<float>() / total);
    }

    [Fact]
    public void NoOptions_ReturnTheImagesUnchanged()
    {
        using var scope = NewDisposeScope();
        var x = rand(4, 3, Side, Side);
        Assert.Same(x, new Augmenter(new AugmentOptions()).Apply(x));
    }

    [Fact]
    public void HorizontalFlip_MirrorsAboutHalfTheImages_AndLeavesTheOthers()
    {
        using var scope = NewDisposeScope();
        var x = Squares(64, 4, 8, 0, 4);
        var y = new Augmenter(new AugmentOptions { HorizontalFlip = true }).Apply(x);
        int flipped = 0;
        for (int i = 0; i < 64; i++)
        {
            bool same = y[i].equal(x[i]).all().item<bool>();
            bool mirrored = y[i].equal(x[i].flip(2)).all().item<bool>();
            Assert.True(same ^ mirrored);
            if (mirrored) flipped++;
        }
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void VerticalFlip_MirrorsTopAndBottom()
    {
        using var scope = NewDisposeScope();
        var x = Squares(64, 0, 4, 4, 8);
        var y = new Augmenter(new AugmentOptions { VerticalFlip = true }).Apply(x);
        int flipped = Enumerable.Range(0, 64).Count(i => y[i].equal(x[i].flip(1)).all().item<bool>());
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void WidthShift_MovesTheContentSideways_WithinTheRange()
    {
        using var scope = NewDisposeScope();
        var x = Squares(32, 6, 10, 6, 10);
        var y = new Augmenter(new AugmentOptions { WidthShift = 0.25 }).Apply(x);
        var cols = Enumerable.Range(0, 32).Select(i => Centroid(y[i]).Col - 7.5).ToArray();
        var rows = Enumerable.Range(0, 32).Select(i => Centroid(y[i]).Row - 7.5).ToArray();
        Assert.All(cols, d => Assert.InRange(Math.Abs(d), 0, 0.25 * Side + 0.5));
        Assert.Contains(cols, d => d > 1);
        Assert.Contains(cols, d => d < -1);
        Assert.All(rows, d => Assert.InRange(Math.Abs(d), 0, 0.2));
    }

    [Fact]
    public void Rotation_TurnsALineByAtMostTheRange()
    {
        using var scope = NewDisposeScope();
        var x = Squares(16, 7, 9, 2, 14);  // a horizontal bar through the centre
        var y = new Augmenter(new AugmentOptions { RotationDegrees = 30 }).Apply(x);
        for (int i = 0; i < 16; i++)
        {
            // The bar's left end moves up or down by at most 6 * tan(30 deg) + blur.
            var leftColumn = y[i].mean([0]).select(1, 3);  // [H]
            var rows = arange(Side, dtype: ScalarType.Float32);
            double centre = leftColumn.mul(rows).sum().item<float>() / Math.Max(1e-6, leftColumn.sum().item<float>());
            Assert.InRange(Math.Abs(centre - 7.5), 0, 6 * Math.Tan(Math.PI / 6) + 1.5);
        }
        Assert.False(y.equal(x).all().item<bool>());
    }

    [Fact]
    public void Zoom_ScalesTheBrightArea_WithinTheRange()
    {
        using var scope = NewDisposeScope();
        var x = Squares(32, 4, 12, 4, 12);  // 8 x 8 = 64 bright pixels
        var y = new Augmenter(new AugmentOptions { Zoom = 0.3 }).Apply(x);
        var areas = Enumerable.Range(0, 32).Select(i => (double)y[i].mean([0]).sum().item<float>()).ToArray();
        // A scale s in [0.7, 1.3] per axis shows the square at 1/s of its size: area 64 / (sx * sy).
        Assert.All(areas, a => Assert.InRange(a, 64 / (1.3 * 1.3) - 4, 64 / (0.7 * 0.7) + 4));
        Assert.Contains(areas, a => a > 70);
        Assert.Contains(areas, a => a < 58);
    }

    [Fact]
    public void Brightness_MultipliesPixelsByAFactorInTheRange_Clamped()
    {
        using var scope = NewDisposeScope();
        var x = full(32, 3, Side, Side, 0.5f);
        var y = new Augmenter(new AugmentOptions { Brightness = [0.5, 1.5] }).Apply(x);
        var factors = Enumerable.Range(0, 32).Select(i => y[i].mean().item<float>() / 0.5).ToArray();
        Assert.All(factors, f => Assert.InRange(f, 0.5 - 1e-5, 1.5 + 1e-5));
        Assert.True(factors.Max() - factors.Min() > 0.3);
        var bright = new Augmenter(new AugmentOptions { Brightness = [3, 3] }).Apply(full(1, 3, 2, 2, 0.5f));
        Assert.Equal(1f, bright.max().item<float>());
    }

    [Fact]
    public void RandomErasing_FillsOneRectangleWithNoise_InAboutThatShareOfImages()
    {
        using var scope = NewDisposeScope();
        const int n = 400, side = 32;
        var x = full(n, 3, side, side, 0.5f);
        var y = new Augmenter(new AugmentOptions { RandomErasing = 0.5 }).Apply(x);

        var changed = y.ne(x).any(1);  // [N, H, W]: a pixel differs in some channel
        int erased = 0;
        for (int i = 0; i < n; i++)
        {
            var mask = changed[i];
            long count = mask.sum().item<long>();
            if (count == 0) continue;
            erased++;
            var rows = mask.any(1).nonzero().flatten();
            var cols = mask.any(0).nonzero().flatten();
            long height = rows[-1].item<long>() - rows[0].item<long>() + 1;
            long width = cols[-1].item<long>() - cols[0].item<long>() + 1;
            Assert.Equal(height * width, count);  // the changed pixels form one solid rectangle
            Assert.InRange(count / (double)(side * side), 0.01, 0.36);  // 2-33% of the image; each side is rounded to whole pixels
        }
        Assert.InRange(erased, 160, 240);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1, "noise stays in [0, 1]");
    }

    [Fact]
    public void SameSeed_GivesTheSameAugmentation()
    {
        using var scope = NewDisposeScope();
        var options = new AugmentOptions { HorizontalFlip = true, RotationDegrees = 20, Zoom = 0.2, Brightness = [0.8, 1.2], RandomErasing = 0.5 };
        var x = rand(8, 3, Side, Side, generator: new Generator(1));
        manual_seed(9);
        var a = new Augmenter(options).Apply(x);
        manual_seed(9);
        var b = new Augmenter(options).Apply(x);
        Assert.True(a.equal(b).all().item<bool>());
    }
}
