using Classifier.Core.Data;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The input of a frozen backbone's head (<c>--freeze backbone</c> without augmentation), kept per training image so
/// that later epochs run the head alone: the backbone is fixed and in eval mode, so its features never change and the
/// cached epochs compute exactly what the full network would. Draws on the run's <see cref="CacheBudget"/>; images that
/// do not fit are simply not cached, and an epoch uses the cache only when it covers every image it visits.
/// </summary>
public sealed class FeatureCache
{
    private readonly float[]?[] _features;
    private readonly long[] _labels;
    private readonly CacheBudget _budget;
    private readonly nn.Module<Tensor, Tensor> _head;

    /// <summary>A cache for <paramref name="images"/> of the head <paramref name="head"/>'s input.</summary>
    public FeatureCache(IReadOnlyList<LabeledImage> images, nn.Module<Tensor, Tensor> head, CacheBudget budget)
    {
        _features = new float[images.Count][];
        _labels = images.Select(i => (long)i.Label).ToArray();
        _head = head;
        _budget = budget;
    }

    /// <summary>Whether every image in <paramref name="indices"/> has its features cached.</summary>
    public bool Covers(IEnumerable<int> indices) => indices.All(i => _features[i] is not null);

    /// <summary>
    /// While the returned object lives, every forward pass through the network records the head's input for the
    /// images of <paramref name="indices"/>() (the batch being run), as far as the budget allows.
    /// </summary>
    public IDisposable Record(Func<int[]> indices)
    {
        var remover = _head.register_forward_pre_hook((_, input) =>
        {
            var ids = indices();
            using var cpu = input.detach().cpu().to_type(ScalarType.Float32).contiguous();   // [N, features]; bf16 under mixed precision, exact in fp32
            var values = cpu.data<float>().ToArray();
            int length = values.Length / ids.Length;
            for (int i = 0; i < ids.Length; i++)
                if (_features[ids[i]] is null && _budget.TryReserve(length * sizeof(float)))
                    _features[ids[i]] = values[(i * length)..((i + 1) * length)];
            return null!;   // null keeps the input unchanged
        });
        return new Removal(remover.remove);
    }

    /// <summary>The cached features [N, features] of <paramref name="indices"/>, in the caller's dispose scope.</summary>
    public Tensor Features(int[] indices)
    {
        int length = _features[indices[0]]!.Length;
        var values = new float[indices.Length * length];
        for (int i = 0; i < indices.Length; i++) _features[indices[i]]!.CopyTo(values, i * length);
        return tensor(values, [indices.Length, length]);
    }

    /// <summary>The class labels of <paramref name="indices"/>.</summary>
    public long[] Labels(int[] indices) => indices.Select(i => _labels[i]).ToArray();

    /// <summary>The head's logits for cached features.</summary>
    public Tensor Head(Tensor features) => _head.call(features);

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
