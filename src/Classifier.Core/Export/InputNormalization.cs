using Classifier.Core.Data;

namespace Classifier.Core.Export;

/// <summary>
/// What turns an exported graph's input - RGB values in [0, 1] (pixel / 255), NCHW - into the network's input:
/// multiply by <see cref="Gain"/> (255 x the preprocessing's scale), reorder the channels when the network reads BGR,
/// subtract <see cref="Mean"/> and divide by <see cref="Std"/> (both in the network's channel order, in units after
/// the scale). Every network's ONNX file thus takes the same input; for the seed CNN (scale 1/255, RGB, no mean/std)
/// all of these are the identity and no node is written.
/// </summary>
/// <param name="Gain">Factor from [0, 1] values to the network's scale (1 when the scale is 1/255).</param>
/// <param name="Bgr">Whether the network reads channels as B, G, R.</param>
/// <param name="Mean">Per-channel mean subtracted after the scale, in the network's channel order.</param>
/// <param name="Std">Per-channel divisor applied after the mean, in the network's channel order.</param>
internal sealed record InputNormalization(float Gain, bool Bgr, float[] Mean, float[] Std)
{
    /// <summary>No normalisation: the graph takes the network's own input (as ONNX Runtime inference gives it).</summary>
    public static InputNormalization Identity { get; } = new(1f, false, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>The normalization a model's preprocessing records.</summary>
    public static InputNormalization From(Preprocessing preprocessing) =>
        new(255f * preprocessing.Scale, preprocessing.ChannelOrder == ChannelOrder.Bgr, [.. preprocessing.Mean], [.. preprocessing.Std]);

    /// <summary>Writes the nodes into <paramref name="graph"/> after <paramref name="input"/>; returns the network input's name.</summary>
    public string Emit(OnnxGraph graph, string input)
    {
        var x = input;
        // 255 * (1/255f) is 1 to within a float's rounding; no node for a factor that changes nothing.
        if (Math.Abs(Gain - 1f) > 1e-6f)
            x = graph.Add("Mul", "preprocess.scale", [x, graph.Constant("preprocess.gain", [Gain])]);
        if (Bgr)
            x = graph.Add("Gather", "preprocess.bgr", [x, graph.Constant("preprocess.bgr_order", new long[] { 2, 1, 0 }, 3)],
                OnnxAttribute.Of("axis", 1L));
        if (Mean.Any(m => m != 0f))
            x = graph.Add("Sub", "preprocess.mean", [x, graph.Constant("preprocess.mean_values", Mean, 1, 3, 1, 1)]);
        if (Std.Any(s => s != 1f))
            x = graph.Add("Div", "preprocess.std", [x, graph.Constant("preprocess.std_values", Std, 1, 3, 1, 1)]);
        return x;
    }
}
