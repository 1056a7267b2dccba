using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Inference;

/// <summary>
/// A trained network ready for inference, on the engine <c>--engine</c> chose: the one seam through which
/// <c>eval</c>, <c>predict</c>, validation during training and the benchmark get logits. Training's validation always
/// runs libtorch (<see cref="Torch"/>), so resumed runs and their history stay exact; the standalone verbs default to
/// ONNX Runtime on the CPU for the zoo's networks, which runs the same graph <c>classify export</c> writes about twice as
/// fast (four times for the MobileNets).
/// </summary>
public abstract class InferenceNetwork : IDisposable
{
    /// <summary>The engine that runs the network: <see cref="InferenceEngine.Torch"/> or <see cref="InferenceEngine.Onnx"/>.</summary>
    public abstract InferenceEngine Engine { get; }

    /// <summary>The arithmetic the network runs in: <see cref="Torch.Precision.Fp32"/> or <see cref="Torch.Precision.Bf16"/> (libtorch only).</summary>
    public Precision Precision { get; private init; } = Precision.Fp32;

    /// <summary>
    /// Why <see cref="InferenceEngine.Auto"/> chose libtorch although the network would run on ONNX Runtime
    /// elsewhere (ONNX Runtime failed to load, or the network has no ONNX translation); null otherwise.
    /// </summary>
    public string? FallbackReason { get; private init; }

    /// <summary>
    /// Logits [N, classes] of the network's input [N, 3, H, W] (already normalised as the model's preprocessing
    /// says), with the views of <paramref name="augmentation"/>: the one place that applies
    /// <see cref="TestTimeAugmentation"/>, for every engine. Call without gradients, inside the caller's dispose scope.
    /// </summary>
    public Tensor Logits(Tensor input, TestTimeAugmentation augmentation)
    {
        if (augmentation == TestTimeAugmentation.None) return Forward(input);
        long n = input.shape[0];
        var logits = Forward(cat([input, input.flip(3)]));   // [2N, classes]: originals, then mirror images
        return logits.view(2, n, -1).mean([0]);             // [N, classes]
    }

    /// <summary>The network's logits for <paramref name="input"/>, in the caller's dispose scope.</summary>
    protected abstract Tensor Forward(Tensor input);

    /// <summary>ONNX Runtime's version and whether it loads here, for <c>classify --version</c>.</summary>
    public static string OnnxRuntimeStatus => OnnxRuntimeInference.Status();

    /// <summary>
    /// Runs <paramref name="network"/> on libtorch, in eval mode. The caller keeps the network (training validates
    /// the module it trains); disposing the result does not dispose it.
    /// </summary>
    public static InferenceNetwork Torch(nn.Module<Tensor, Tensor> network) => new TorchInference(network, owned: false);

    /// <summary>
    /// Below this many 224 px images (or as many pixels at another side) <see cref="InferenceEngine.Auto"/> runs
    /// libtorch: building an ONNX Runtime session takes a fixed time that only enough images repay, and the saving per
    /// image shrinks with its pixels, so the threshold counts pixels (docs/performance.md, "Figures behind the code's
    /// choices", has the measurements it was set from).
    /// </summary>
    public const int FewImages = 32;

    /// <summary>Whether <paramref name="images"/> images of side <paramref name="side"/> are too few to build a session for (see <see cref="FewImages"/>).</summary>
    public static bool AreFew(long images, int side) => (double)images * side * side < (double)FewImages * 224 * 224;

    /// <summary>
    /// Opens <paramref name="model"/>'s network on <paramref name="engine"/> with <paramref name="threads"/> intra-op
    /// threads (0: libtorch's count), and takes the model's network over: the result disposes it. On ONNX Runtime the
    /// libtorch weights are released once the graph holds them, before the session is made.
    /// <see cref="InferenceEngine.Auto"/> is the network's own choice on the CPU (<see cref="NetworkSpec.InfersOnLibTorch"/>:
    /// ONNX Runtime but for the seed CNN), libtorch in bf16, on a GPU or for <paramref name="images"/> too few to pay for a
    /// session (<see cref="AreFew"/>, when the caller knows how many), and falls back to libtorch, saying why in
    /// <see cref="FallbackReason"/>, when ONNX Runtime cannot run the network. An explicit
    /// <see cref="InferenceEngine.Onnx"/> that cannot run throws <see cref="ClassifierException"/> naming <c>--engine</c>.
    /// </summary>
    public static InferenceNetwork Open(LoadedModel model, InferenceEngine engine, Device device, int threads = 0, long? images = null,
        Precision precision = Precision.Auto)
    {
        bool onCpu = device.type == DeviceType.CPU;
        if (engine == InferenceEngine.Onnx && !onCpu)
            throw new ClassifierException($"--engine onnx runs on the CPU; with --device {device.type.ToString().ToLowerInvariant()} use --engine torch or auto.");
        if (engine == InferenceEngine.Onnx && precision == Precision.Bf16)
            throw new ClassifierException("--precision bf16 runs on libtorch; ONNX Runtime runs the exported fp32 graph. Use --engine torch or auto, or --precision fp32.");
        var spec = NetworkRegistry.Find(model.Info.Architecture);
        precision = InferencePrecision(precision, model.Info, spec, device);
        // bf16 runs on libtorch: on channels-last input it beat ONNX Runtime's fp32 for every network measured
        // (docs/performance.md), and it repeats a bf16 run's validation exactly.
        if (engine == InferenceEngine.Auto && (!onCpu || precision == Precision.Bf16
                                               || (images is { } count && AreFew(count, model.Info.Preprocessing.ImageSize))
                                               || spec?.InfersOnLibTorch == true))
            engine = InferenceEngine.Torch;
        if (engine == InferenceEngine.Torch)
            return new TorchInference(MixedPrecision.Apply(model.Network, precision), owned: true) { Precision = precision };
        byte[] graph;
        SessionOptions options;
        try
        {
            options = OnnxRuntimeInference.Options(threads > 0 ? threads : get_num_threads());   // loads ONNX Runtime
            graph = OnnxRuntimeInference.Graph(model.Network, model.Info);
        }
        catch (Exception e) when (engine == InferenceEngine.Auto && OnnxRuntimeInference.CannotRun(e))
        {
            return new TorchInference(MixedPrecision.Apply(model.Network, precision), owned: true) { Precision = precision, FallbackReason = $"ONNX Runtime cannot run this network ({e.Message}); using libtorch." };
        }
        catch (Exception e) when (OnnxRuntimeInference.CannotRun(e))
        {
            throw new ClassifierException($"--engine onnx: ONNX Runtime cannot run this network: {e.Message} Use --engine torch.", e);
        }
        // The graph holds the weights now: libtorch's copy and the export's buffers go back to the system before the
        // session makes its own (for the seed CNN at 224 px, 169 MiB each).
        model.Network.Dispose();
        ReleaseMemory();
        try
        {
            return OnnxRuntimeInference.Start(graph, options, model.Info.ClassNames.Count);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ClassifierException($"ONNX Runtime refused this network's graph: {e.Message} Use --engine torch.", e);
        }
        finally
        {
            options.Dispose();
            graph = [];   // the session has parsed it
            ReleaseMemory();
        }
    }

    /// <summary>
    /// What <paramref name="requested"/> means for inference: <see cref="Precision.Auto"/> is the precision the model
    /// was trained in (<see cref="ModelInfo.Precision"/>) where bf16 is native and the network runs on the CPU, fp32
    /// elsewhere, so an fp32 model repeats training's validation exactly and bf16 is never chosen where it is emulated.
    /// </summary>
    private static Precision InferencePrecision(Precision requested, ModelInfo info, NetworkSpec? spec, Device device)
    {
        if (spec is null) return Precision.Fp32;   // an unknown architecture is refused when the model loads
        if (requested != Precision.Auto) return MixedPrecision.Resolve(requested, spec.MixedPrecisionByDefault, device);
        bool nativeBf16 = device.type == DeviceType.CPU && CpuFeatures.NativeBf16 && Autocast.Available;
        return info.Precision == Precision.Bf16 && nativeBf16 ? Precision.Bf16 : Precision.Fp32;
    }

    private static void ReleaseMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        NativeHeap.ReleaseFreeMemory();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the engine's resources.</summary>
    protected virtual void Dispose(bool disposing) { }

    private sealed class TorchInference : InferenceNetwork
    {
        private readonly nn.Module<Tensor, Tensor> _network;
        private readonly bool _owned;

        public TorchInference(nn.Module<Tensor, Tensor> network, bool owned)
        {
            _network = network;
            _owned = owned;
            network.eval();
        }

        public override InferenceEngine Engine => InferenceEngine.Torch;

        protected override Tensor Forward(Tensor input) => StagedInference.Call(_network, input);

        protected override void Dispose(bool disposing)
        {
            if (disposing && _owned) _network.Dispose();
        }
    }
}
