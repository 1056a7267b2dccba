using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Inference;

/// <summary>
/// A network run by ONNX Runtime: the graph <c>classify export</c> writes (<see cref="OnnxExport"/>), built in memory
/// with no input normalisation of its own (it is given the normalised tensor libtorch would be), in one session with
/// the thread count libtorch has. Input and logits are passed without copies: ONNX Runtime reads the input tensor's
/// memory and writes into a libtorch tensor. ONNX Runtime's CPU kernels (its own convolutions over a blocked channel
/// layout, batch norms folded into the convolutions, fused activations) run the ResNets about twice as fast as
/// libtorch's on a 2-core AVX2 machine; the test suite holds the logits within 1e-4 of libtorch's for every network.
/// </summary>
internal sealed class OnnxRuntimeInference : InferenceNetwork
{
    private static readonly string[] InputNames = [OnnxExport.InputName];
    private static readonly string[] OutputNames = [OnnxExport.LogitsName];

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly long _classes;

    private OnnxRuntimeInference(InferenceSession session, long classes)
    {
        _session = session;
        _classes = classes;
    }

    public override InferenceEngine Engine => InferenceEngine.Onnx;

    /// <summary>Session options for <paramref name="threads"/> intra-op threads; the first call loads ONNX Runtime.</summary>
    public static SessionOptions Options(int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Without its arena ONNX Runtime frees each activation to the system heap: eval peaks lower at the same
            // speed (docs/transfer-learning.md, "Inference on ONNX Runtime").
            EnableCpuMemArena = false,
        };
        options.AddSessionConfigEntry("session.use_deterministic_compute", "1");
        // ONNX Runtime's threads spin as libgomp's do; on a busy machine they wait passively too (see OpenMpWaiting).
        if (OpenMpWaiting.ChooseBeforeLibTorchLoads(threads).Passive)
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>
    /// <paramref name="network"/> (put in eval mode) as an ONNX model that takes the network's own, already normalised
    /// input. Throws <see cref="ClassifierException"/> naming a module with no ONNX translation.
    /// </summary>
    public static byte[] Graph(nn.Module<Tensor, Tensor> network, ModelInfo info)
    {
        network.eval();
        return OnnxExport.ToArray(network, info, InputNormalization.Identity);
    }

    /// <summary>A session running <paramref name="graph"/>, whose logits have <paramref name="classes"/> columns.</summary>
    public static OnnxRuntimeInference Start(byte[] graph, SessionOptions options, int classes) =>
        new(new InferenceSession(graph, options), classes);

    /// <summary>ONNX Runtime's version and whether it loads here, for <c>classify --version</c>.</summary>
    public static string Status()
    {
        try
        {
            return $"{OrtEnv.Instance().GetVersionString()} (loaded)";
        }
        catch (Exception e) when (CannotRun(e))
        {
            return $"(does not load: {e.GetBaseException().Message})";
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> says ONNX Runtime cannot run the network here: its native library does not load,
    /// the network has a module with no ONNX translation, or the runtime refuses the graph.
    /// </summary>
    public static bool CannotRun(Exception e) =>
        e is OnnxRuntimeException or ClassifierException or DllNotFoundException or TypeInitializationException
            or EntryPointNotFoundException or BadImageFormatException;

    protected override Tensor Forward(Tensor input)
    {
        var x = input.is_contiguous() ? input : input.contiguous();   // [N, 3, H, W] in NCHW memory order
        if (x.dtype != ScalarType.Float32 || x.device_type != DeviceType.CPU)
            throw new InvalidOperationException("ONNX Runtime takes a float32 CPU tensor.");
        var logits = empty([x.shape[0], _classes]);
        unsafe
        {
            fixed (byte* inputData = x.bytes)
            fixed (byte* logitsData = logits.bytes)
            {
                using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                    x.shape, (IntPtr)inputData, x.numel() * sizeof(float));
                using var outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                    logits.shape, (IntPtr)logitsData, logits.numel() * sizeof(float));
                _session.Run(_run, InputNames, [inputValue], OutputNames, [outputValue]);
            }
        }
        return logits;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _session.Dispose();
        _run.Dispose();
    }
}
