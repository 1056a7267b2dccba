using TorchSharp;

namespace Classifier.Core.Model;

/// <summary>A network read from a model file, with its info and the file's raw sections. Disposing frees the network.</summary>
public sealed class LoadedModel(torch.nn.Module<torch.Tensor, torch.Tensor> network, ModelInfo info, IReadOnlyDictionary<string, byte[]> sections) : IDisposable
{
    /// <summary>The network with its weights loaded.</summary>
    public torch.nn.Module<torch.Tensor, torch.Tensor> Network { get; } = network;

    /// <summary>Class names, preprocessing and provenance.</summary>
    public ModelInfo Info { get; } = info;

    /// <summary>All sections of the file (checkpoints carry optimizer and trainer state here).</summary>
    public IReadOnlyDictionary<string, byte[]> Sections { get; } = sections;

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
