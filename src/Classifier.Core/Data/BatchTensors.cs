using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Data;

/// <summary>Turns a <see cref="Batch"/> into tensors. Call inside the caller's per-batch dispose scope.</summary>
public static class BatchTensors
{
    /// <summary>
    /// The batch as network input, [N, 3, H, W] float32 in [0, 1] (times <paramref name="scale"/>). The uint8 pixels
    /// are copied into libtorch once and converted there; the result keeps NHWC memory order (channels-last strides),
    /// which libtorch's CPU convolutions run faster on than a contiguous NCHW copy.
    /// </summary>
    public static Tensor Input(Batch batch, float scale) => Input(batch.Pixels, batch.Count, batch.ImageSize, scale);

    /// <summary>As <see cref="Input(Batch, float)"/>, from <paramref name="count"/> images of uint8 NHWC pixels.</summary>
    public static Tensor Input(ReadOnlySpan<byte> pixels, int count, int side, float scale)
    {
        using var bytes = empty([count, side, side, Preprocessing.Channels], dtype: ScalarType.Byte);
        pixels.CopyTo(bytes.bytes);
        // An explicit scalar, referenced until the call returns (see AdamOptimizer for why implicit ones are unsafe).
        using var factor = scale.ToScalar();
        return bytes.permute(0, 3, 1, 2).to_type(ScalarType.Float32).mul_(factor);
    }

    /// <summary>The labels as an int64 tensor [N].</summary>
    public static Tensor Labels(Batch batch) => tensor(batch.Labels, dtype: ScalarType.Int64);
}
