using System.Text.Json.Serialization;

namespace Classifier.Core.Data;

/// <summary>
/// How a file becomes network input: decode, convert to RGB, fit to <see cref="ImageSize"/> x <see cref="ImageSize"/>
/// as <see cref="Resize"/> says with <see cref="Interpolation"/>, reorder the channels to <see cref="ChannelOrder"/>, then
/// <c>(pixel x Scale - Mean) / Std</c> per channel. Stored in every model file so that evaluation, prediction and export
/// prepare images exactly as training did; <c>BatchTensors.Input</c>
/// is the one place that applies it. Files written before channel order, mean and std existed read as RGB, 0 and 1.
/// </summary>
/// <param name="ImageSize">Side of the square network input, in pixels.</param>
/// <param name="Interpolation">Resize filter.</param>
/// <param name="Scale">Factor applied to 0-255 pixel values (1/255 maps them to [0, 1]).</param>
public sealed record Preprocessing(
    int ImageSize,
    [property: JsonConverter(typeof(JsonStringEnumConverter<Interpolation>))] Interpolation Interpolation,
    float Scale)
{
    /// <summary>The seed recipe: 224 px, nearest, 1/255.</summary>
    public static Preprocessing Default { get; } = new(224, Interpolation.Nearest, 1f / 255f);

    /// <summary>Always RGB, three channels.</summary>
    public const int Channels = 3;

    /// <summary>Channel order of the network input.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ChannelOrder>))]
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>
    /// How a non-square image is fitted to the square (see <see cref="Data.ResizeMode"/>). Left out of the file when
    /// <see cref="ResizeMode.Squash"/>, so files without it (all written before it existed) read as what they were trained with.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ResizeMode>))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ResizeMode Resize { get; init; }

    /// <summary>Per-channel mean subtracted after <see cref="Scale"/>, in the network's channel order and in units after scaling.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel divisor applied after the mean, in the network's channel order.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>Whether mean and std change nothing (mean 0, std 1 in every channel).</summary>
    [JsonIgnore]
    public bool IsUnnormalized => Mean.All(m => m == 0f) && Std.All(s => s == 1f);

    /// <summary>Bytes of one decoded image (height x width x RGB, uint8).</summary>
    [JsonIgnore]
    public int PixelBytes => ImageSize * ImageSize * Channels;

    /// <summary>Records compare their arrays by reference; two preprocessings are the same when every value is.</summary>
    public bool Equals(Preprocessing? other) =>
        other is not null && ImageSize == other.ImageSize && Interpolation == other.Interpolation && Scale == other.Scale
        && ChannelOrder == other.ChannelOrder && Resize == other.Resize && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ImageSize, Interpolation, Scale, ChannelOrder);
}
