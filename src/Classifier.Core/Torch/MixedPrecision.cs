using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// Where <c>--precision</c> takes effect: a network given <see cref="Precision.Bf16"/> runs each forward pass under
/// libtorch's CPU autocast (<see cref="Autocast"/>) and hands back fp32 logits, so the loss, metrics, softmax and
/// everything after the network stay in fp32 and the weights it trains stay fp32 master weights. The network's
/// modules, state dict and saved files are unchanged; an fp32 network gets no hook at all, so it computes bit for bit
/// what it did before precision existed.
/// </summary>
public static class MixedPrecision
{
    private static readonly ConditionalWeakTable<nn.Module, object> Mixed = new();

    /// <summary>
    /// Makes <paramref name="network"/> run in <paramref name="precision"/> (<see cref="Precision.Fp32"/> leaves it as it
    /// is; applying twice changes nothing) and returns it. The hooks run when the network is invoked with <c>call</c>,
    /// as every caller in classify does; <see cref="StagedInference.Call"/> honours them too.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Apply(nn.Module<Tensor, Tensor> network, Precision precision)
    {
        if (precision == Precision.Auto)
            throw new ArgumentException("Resolve Precision.Auto first (MixedPrecision.Resolve).", nameof(precision));
        if (precision == Precision.Fp32 || Mixed.TryGetValue(network, out _)) return network;
        // One autocast region per forward pass, kept per thread: the pre-hook opens it, the post-hook closes it and
        // returns fp32 logits (torch.autocast users write model(x).float() for the loss).
        // The input goes in channels-last where this CPU's bf16 kernels compute it right (InputLayout); the check
        // runs here, outside any autocast region, before the first forward pass.
        _ = ChannelsLastCheck.IsSound(Precision.Bf16);
        var open = new ThreadLocal<Stack<Autocast.Scope>>(() => new Stack<Autocast.Scope>());
        network.register_forward_pre_hook((module, input) =>
        {
            var chosen = InputLayout.For(module, input);
            open.Value!.Push(Autocast.Enter());
            return InputLayout.Replacement(input, chosen);
        });
        network.register_forward_hook((_, _, output) =>
        {
            if (open.Value!.TryPop(out var region)) region.Dispose();
            return output.dtype == ScalarType.Float32 ? null! : output.to_type(ScalarType.Float32);   // null keeps the output
        });
        Mixed.Add(network, open);
        return network;
    }

    /// <summary>Whether <paramref name="network"/> runs in bfloat16 mixed precision (<see cref="Apply"/>).</summary>
    public static bool IsMixed(nn.Module network) => Mixed.TryGetValue(network, out _);

    /// <summary>
    /// Smallest input side at which <see cref="Precision.Auto"/> trains in bf16: measured faster than fp32 at 224 px
    /// but much slower at small sides on an AVX512_BF16 CPU, where oneDNN's bf16 kernels for small convolutions lag its
    /// fp32 ones (docs/performance.md, "bfloat16 mixed precision").
    /// </summary>
    public const int AutoMinimumImageSize = 224;

    /// <summary>
    /// The precision <paramref name="requested"/> means on <paramref name="device"/> at input side
    /// <paramref name="imageSize"/> for a network that trains in bf16 by default or not
    /// (<paramref name="networkPrefersBf16"/>, its spec's <c>MixedPrecisionByDefault</c>): <see cref="Precision.Auto"/>
    /// is bf16 for networks that do, at sides of <see cref="AutoMinimumImageSize"/> or more,
    /// when the CPU computes bfloat16 natively (<see cref="CpuFeatures.NativeBf16"/>) and libtorch exports autocast, else
    /// fp32. An explicit bf16 is kept on any CPU (emulated and slow where not native: see <see cref="Note"/>) and refused
    /// on a GPU, with a message naming <c>--precision</c>.
    /// </summary>
    public static Precision Resolve(Precision requested, bool networkPrefersBf16, Device device, int imageSize = AutoMinimumImageSize)
    {
        bool onCpu = device.type == DeviceType.CPU;
        switch (requested)
        {
            case Precision.Auto:
                return onCpu && networkPrefersBf16 && imageSize >= AutoMinimumImageSize && CpuFeatures.NativeBf16 && Autocast.Available
                    ? Precision.Bf16
                    : Precision.Fp32;
            case Precision.Bf16 when !onCpu:
                throw new ClassifierException($"--precision bf16 runs on the CPU in this build; with --device {device.type.ToString().ToLowerInvariant()} use --precision fp32.");
            case Precision.Bf16 when !Autocast.Available:
                throw new ClassifierException("--precision bf16: this libtorch does not export its autocast entry points; use --precision fp32.");
            default:
                return requested;
        }
    }

    /// <summary>
    /// <paramref name="precision"/> in a few words for a run's first line (and the benchmark): with the CPU feature that
    /// makes bf16 fast, or a warning that it is emulated where the CPU has none.
    /// </summary>
    public static string Note(Precision precision) => precision switch
    {
        Precision.Bf16 when CpuFeatures.NativeBf16 => $"bf16 mixed precision ({(CpuFeatures.AmxBf16 ? "amx_bf16" : "avx512_bf16")}{LayoutNote})",
        Precision.Bf16 => $"bf16 mixed precision, EMULATED: {WhyNotNative}, so bf16 is slower than fp32 here",
        _ => "fp32",
    };

    /// <summary>Why bf16 is not native in this process, in a few words: the CPU lacks it, or oneDNN is capped below it.</summary>
    public static string WhyNotNative => CpuFeatures.HasBf16 && OneDnnIsa.ExcludesBf16
        ? $"{OneDnnIsa.Setting} keeps oneDNN from this CPU's bf16 instructions"
        : "this CPU has no AVX512_BF16 or AMX";

    private static string LayoutNote => ChannelsLastCheck.IsSound(Precision.Bf16)
        ? ""
        : "; on contiguous input, as this CPU's bf16 channels-last convolutions disagreed with fp32's, which is slower";

    /// <summary>The lower-case name used on the command line and in files (<c>fp32</c>, <c>bf16</c>).</summary>
    public static string Name(Precision precision) => precision.ToString().ToLowerInvariant();
}
