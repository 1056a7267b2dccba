using System.Text.Json.Serialization;

namespace Classifier.Core.Data;

/// <summary>
/// How a file becomes network input: decode, convert to RGB, resize to <see cref="ImageSize"/> x
/// <see cref="ImageSize"/> with <see cref="Interpolation"/>, multiply by <see cref="Scale"/>. Stored in every model
/// file so that evaluation and prediction prepare images exactly as training did.
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

    /// <summary>Bytes of one decoded image (height x width x RGB, uint8).</summary>
    [JsonIgnore]
    public int PixelBytes => ImageSize * ImageSize * Channels;
}
