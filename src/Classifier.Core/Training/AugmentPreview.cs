using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// <c>--preview-augment N</c>: a PNG grid of N training images after augmentation, so a person can see what the
/// model will see. Each cell shows one image enlarged (nearest neighbour) to at least <see cref="MinimumCell"/> px.
/// </summary>
public static class AugmentPreview
{
    /// <summary>Smallest side of a grid cell in pixels.</summary>
    public const int MinimumCell = 96;

    private const int Gap = 4;

    /// <summary>
    /// Writes the grid to <paramref name="path"/> and returns the number of images in it; <paramref name="cancellation"/>
    /// (Ctrl+C) also stops a decode in progress.
    /// </summary>
    public static int Write(TrainOptions options, int count, string path, CancellationToken cancellation = default)
    {
        if (count < 1) throw new ClassifierException($"--preview-augment {count}: give the number of images to show, e.g. 16.");
        options.Validate();
        var (train, _, _) = TrainingData.Resolve(options);
        TorchRuntime.Initialize(options.Threads);
        var order = Enumerable.Range(0, train.Images.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        var skipped = new SkippedImages();
        // Under --resize crop the windows are those the first training epoch draws.
        var loader = new BatchLoader(train.Images, new ImageDecoder(options.Preprocessing, options.MaxPixels) { KeepsCropMargin = true }, cache: null, skipped);
        manual_seed(options.Seed);
        var augmenter = new Augmenter(options.Augment);
        var picked = order.Take(Math.Min(count, order.Length)).ToArray();
        byte[] pixels;
        int images;
        using (var batch = loader.Read(picked, picked.Length, cancellation, FineTuning.TrainingCrop(options, epoch: 1, Trainer.EpochSeed(options.Seed, 1))).FirstOrDefault()
                           ?? throw new ClassifierException("None of the chosen training images could be read."))
        using (NewDisposeScope())
        {
            var augmented = augmenter.Apply(BatchTensors.Unit(batch)); // [N, 3, H, W]
            using var full = 255.0.ToScalar();
            using var zero = 0.0.ToScalar();
            var bytes = augmented.mul(full).round().clamp(zero, full).to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous(); // [N, H, W, 3]
            pixels = bytes.data<byte>().ToArray();
            images = batch.Count;
        }
        AtomicFile.WriteBytes(path, Grid(pixels, images, options.Preprocessing.ImageSize));
        return images;
    }

    private static byte[] Grid(byte[] pixels, int count, int side)
    {
        int cell = Math.Max(side, MinimumCell / side * side + (MinimumCell % side == 0 ? 0 : side));
        int columns = (int)Math.Ceiling(Math.Sqrt(count));
        int rows = (count + columns - 1) / columns;
        using var grid = new Image<Rgb24>(columns * (cell + Gap) + Gap, rows * (cell + Gap) + Gap, new Rgb24(255, 255, 255));
        for (int i = 0; i < count; i++)
        {
            using var tile = Image.LoadPixelData<Rgb24>(pixels.AsSpan(i * side * side * 3, side * side * 3), side, side);
            tile.Mutate(c => c.Resize(cell, cell, KnownResamplers.NearestNeighbor));
            int x0 = Gap + i % columns * (cell + Gap), y0 = Gap + i / columns * (cell + Gap);
            grid.Mutate(c => c.DrawImage(tile, new Point(x0, y0), 1f));
        }
        using var png = new MemoryStream();
        grid.SaveAsPng(png);
        return png.ToArray();
    }
}
