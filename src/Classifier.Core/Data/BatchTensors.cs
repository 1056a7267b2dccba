using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Data;

/// <summary>Turns a <see cref="Batch"/> into tensors. Call inside the caller's per-batch dispose scope.</summary>
public static class BatchTensors
{
    private const float UnitScale = 1f / 255f;

    /// <summary>
    /// The batch as network input, [N, 3, H, W] float32, prepared as <paramref name="preprocessing"/> says: the one
    /// place where pixels become input for training, validation, evaluation, prediction and the benchmark.
    /// <paramref name="augment"/> (training only) sees the images in [0, 1], RGB, before the model's own scale,
    /// channel order and normalisation, so augmentation means the same for every network. The uint8 pixels are copied
    /// into libtorch once and converted there; the result keeps NHWC memory order (channels-last strides), which
    /// libtorch's CPU convolutions run faster on than a contiguous NCHW copy.
    /// </summary>
    public static Tensor Input(Batch batch, Preprocessing preprocessing, Func<Tensor, Tensor>? augment = null, Device? device = null) =>
        Input(batch.Pixels, batch.Count, batch.ImageSize, preprocessing, augment, device);

    /// <summary>As <see cref="Input(Batch, Preprocessing, Func{Tensor, Tensor}?, Device?)"/>, from <paramref name="count"/> images of uint8 NHWC pixels.</summary>
    public static Tensor Input(ReadOnlySpan<byte> pixels, int count, int side, Preprocessing preprocessing,
        Func<Tensor, Tensor>? augment = null, Device? device = null)
    {
        var x = Unit(pixels, count, side);   // [N, 3, H, W] RGB in [0, 1]
        if (device is not null) x = x.to(device);
        if (augment is not null) x = augment(x);
        return Normalize(x, preprocessing);
    }

    /// <summary>The batch's images as [N, 3, H, W] float32 RGB in [0, 1], before any model's preprocessing.</summary>
    public static Tensor Unit(Batch batch) => Unit(batch.Pixels, batch.Count, batch.ImageSize);

    private static Tensor Unit(ReadOnlySpan<byte> pixels, int count, int side)
    {
        using var bytes = empty([count, side, side, Preprocessing.Channels], dtype: ScalarType.Byte);
        pixels.CopyTo(bytes.bytes);
        // An explicit scalar, referenced until the call returns (see AdamOptimizer for why implicit ones are unsafe).
        using var unit = UnitScale.ToScalar();
        return bytes.permute(0, 3, 1, 2).to_type(ScalarType.Float32).mul_(unit);
    }

    /// <summary>
    /// Applies the model's scale, channel order, mean and std to <paramref name="unit"/> [N, 3, H, W], RGB in [0, 1].
    /// Steps that change nothing are skipped, so the seed CNN's input (scale 1/255, RGB, mean 0, std 1) is bit for bit
    /// what it always was.
    /// </summary>
    public static Tensor Normalize(Tensor unit, Preprocessing preprocessing)
    {
        var x = unit;
        if (preprocessing.Scale != UnitScale)
        {
            using var factor = (preprocessing.Scale / UnitScale).ToScalar();
            x = x.mul(factor);
        }
        if (preprocessing.ChannelOrder == ChannelOrder.Bgr) x = x.flip(1);
        if (preprocessing.IsUnnormalized) return x;
        using var mean = tensor(preprocessing.Mean, [1, Preprocessing.Channels, 1, 1]).to(x.device);  // [1, 3, 1, 1]
        using var std = tensor(preprocessing.Std, [1, Preprocessing.Channels, 1, 1]).to(x.device);
        return x.sub(mean).div_(std);
    }

    /// <summary>The labels as an int64 tensor [N].</summary>
    public static Tensor Labels(Batch batch) => tensor(batch.Labels, dtype: ScalarType.Int64);
}
