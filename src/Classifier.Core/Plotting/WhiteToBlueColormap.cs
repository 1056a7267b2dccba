using ScottPlot;

namespace Classifier.Core.Plotting;

/// <summary>
/// White for 0 rising to dark blue for the maximum (matplotlib's "Blues" direction), so that the many empty cells of
/// a confusion matrix stay white and the counts that matter stand out. ScottPlot's own Blues runs the other way.
/// </summary>
internal sealed class WhiteToBlueColormap : IColormap
{
    private static readonly (double At, Color Color)[] Stops =
    [
        (0.0, Color.FromHex("#f7fbff")),
        (0.25, Color.FromHex("#c6dbef")),
        (0.5, Color.FromHex("#6baed6")),
        (0.75, Color.FromHex("#2171b5")),
        (1.0, Color.FromHex("#08306b")),
    ];

    public string Name => "White to blue";

    public Color GetColor(double position)
    {
        if (!double.IsFinite(position)) return Stops[0].Color;
        position = Math.Clamp(position, 0, 1);
        for (int i = 1; i < Stops.Length; i++)
        {
            if (position > Stops[i].At) continue;
            var (a, from) = Stops[i - 1];
            var (b, to) = Stops[i];
            double t = (position - a) / (b - a);
            return new Color(Mix(from.R, to.R, t), Mix(from.G, to.G, t), Mix(from.B, to.B, t));
        }
        return Stops[^1].Color;
    }

    private static byte Mix(byte from, byte to, double t) => (byte)Math.Round(from + (to - from) * t);
}
