namespace Classifier.Core.Inference;

/// <summary>What runs a trained network in <c>eval</c>, <c>predict</c> and the benchmark's inference rows (<c>--engine</c>).</summary>
public enum InferenceEngine
{
    /// <summary>
    /// The network's own choice on the CPU (ONNX Runtime for the zoo's torchvision networks, libtorch for the seed CNN);
    /// libtorch for fewer pixels than <see cref="InferenceNetwork.FewImages"/> images of 224 px, on a GPU, or where ONNX Runtime cannot
    /// run the network.
    /// </summary>
    Auto,

    /// <summary>libtorch, the engine training uses: eval then gives exactly the figures training's validation gave.</summary>
    Torch,

    /// <summary>
    /// ONNX Runtime on the CPU, running the network as <c>classify export</c> writes it: faster than libtorch for the
    /// zoo's networks on the CPUs measured (docs/performance.md), logits within 1e-4 of libtorch's.
    /// </summary>
    Onnx,
}
