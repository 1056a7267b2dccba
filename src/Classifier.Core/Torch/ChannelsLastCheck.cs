using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// Whether this CPU's convolutions compute right on channels-last input, in bf16 and in fp32, each checked once per
/// process before the first network that would use it runs. libtorch picks oneDNN kernels by CPU (and by the cache
/// sizes the CPU publishes), and one build machine's fp32 channels-last 1x1 convolutions were wrong (about 40% off;
/// <see cref="InputLayout"/>), so rather than trust every CPU kind, the convolution shapes the zoo's networks use are
/// run forward and backward on channels-last input and compared with fp32 on contiguous input. Where any disagrees by
/// more than the precision's rounding can explain, networks compute on contiguous input in that precision instead
/// (slower, but right; a bf16 run's first line says so, <see cref="MixedPrecision.Note"/>). The check draws its numbers
/// from its own generator, never libtorch's, so it leaves the seeded run it precedes unchanged; it takes a few
/// milliseconds.
/// </summary>
public static class ChannelsLastCheck
{
    // (batch, in channels, out channels, side, kernel, stride): a ResNet's last downsampling shortcut (the shape that
    // was wrong in fp32), a bottleneck's 1x1 expansion, a 3x3 block convolution and a stem-like strided 3x3.
    private static readonly (int Batch, int In, int Out, int Side, int Kernel, int Stride)[] Shapes =
    [
        (2, 256, 512, 14, 1, 2),
        (2, 64, 256, 28, 1, 1),
        (2, 64, 64, 28, 3, 1),
        (2, 3, 32, 56, 3, 2),
    ];

    /// <summary>
    /// Largest difference from the fp32 reference, as a fraction of the reference's largest magnitude, that bf16 may
    /// show: its 8-bit significand rounds inputs and weights by up to 0.4% each, and sums run in fp32. The wrong
    /// fp32 kernel was off by about 40%.
    /// </summary>
    public const double Bf16Tolerance = 0.05;

    /// <summary>
    /// The same for fp32 on channels-last input: only the order of the sums differs from the reference, which moves
    /// results by about 1e-6 of their magnitude.
    /// </summary>
    public const double Fp32Tolerance = 1e-3;

    private static readonly Lazy<bool> Bf16 = new(() => Check(Precision.Bf16));
    private static readonly Lazy<bool> Fp32 = new(() => Check(Precision.Fp32));

    /// <summary>Whether networks may compute on channels-last input here in <paramref name="precision"/> (checked on first use).</summary>
    public static bool IsSound(Precision precision) => precision == Precision.Bf16 ? Bf16.Value : Fp32.Value;

    /// <summary>The tolerance <see cref="Check"/> allows in <paramref name="precision"/>.</summary>
    public static double Tolerance(Precision precision) => precision == Precision.Bf16 ? Bf16Tolerance : Fp32Tolerance;

    /// <summary>
    /// Runs the check (what <see cref="IsSound"/> caches): every shape, computed in <paramref name="precision"/> on
    /// channels-last input, agrees with its fp32 reference on contiguous input. It may run from a forward pass under
    /// <c>no_grad</c> or inference mode (it leaves both for its own tensors); it must run outside autocast.
    /// </summary>
    public static bool Check(Precision precision)
    {
        bool bf16 = precision == Precision.Bf16;
        using var scope = NewDisposeScope();
        using var normal = inference_mode(false);
        using var grad = enable_grad();
        var random = new Random(20261207);
        foreach (var (batch, inChannels, outChannels, side, kernel, stride) in Shapes)
        {
            var input = Uniform(random, batch, inChannels, side, side);
            var weight = Uniform(random, outChannels, inChannels, kernel, kernel) / Math.Sqrt(inChannels * kernel * kernel);
            int outSide = (side + 2 * (kernel / 2) - kernel) / stride + 1;
            var upstream = Uniform(random, batch, outChannels, outSide, outSide);
            var reference = Convolve(input, weight, upstream, stride, kernel / 2, bf16: false);
            var actual = Convolve(InputLayout.ChannelsLast(input), weight, upstream, stride, kernel / 2, bf16);
            for (int i = 0; i < reference.Length; i++)
                if (!Agrees(actual[i], reference[i], Tolerance(precision))) return false;
        }
        return true;
    }

    /// <summary>Whether <paramref name="actual"/> is within <paramref name="tolerance"/> of <paramref name="reference"/>, relative to its largest magnitude.</summary>
    public static bool Agrees(Tensor actual, Tensor reference, double tolerance)
    {
        double scale = reference.abs().max().item<float>();
        double difference = (actual.to_type(ScalarType.Float32) - reference).abs().max().item<float>();
        return double.IsFinite(difference) && difference <= tolerance * Math.Max(scale, 1e-6);
    }

    /// <summary>The convolution's output, input gradient and weight gradient for the upstream gradient given.</summary>
    private static Tensor[] Convolve(Tensor input, Tensor weight, Tensor upstream, int stride, int padding, bool bf16)
    {
        var x = input.detach().requires_grad_();
        var w = weight.detach().requires_grad_();
        Tensor y;
        using (bf16 ? Autocast.Enter() : default)
            y = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
        var output = y.to_type(ScalarType.Float32);
        (output * upstream).sum().backward();
        return [output.detach(), x.grad!, w.grad!];
    }

    private static Tensor Uniform(Random random, params long[] shape)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return tensor(values).reshape(shape);
    }
}
