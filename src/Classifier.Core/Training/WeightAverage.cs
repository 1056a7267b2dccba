using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// An exponential moving average of the network's weights (<c>--ema-decay</c>, timm's <c>--model-ema</c>,
/// TensorFlow's <c>ExponentialMovingAverage</c>): after every optimizer step each averaged tensor moves towards the
/// trained one, <c>average = d x average + (1 - d) x weight</c>. The averaged network is the one validated, saved as
/// best.cls and left as the run's model; the trained network keeps its own weights for the optimizer.
/// The decay ramps up as <c>min(d, (1 + t) / (10 + t))</c> at step t, so the first steps are not averaged with the
/// random initial weights for long.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly (Tensor Average, Tensor Weight)[] _pairs;
    private readonly bool _ownsNetwork;

    /// <summary>
    /// Starts an average of <paramref name="trained"/> at its current weights, in a network of the same architecture
    /// made by <paramref name="createCopy"/>, which the average owns.
    /// </summary>
    public WeightAverage(nn.Module<Tensor, Tensor> trained, Func<nn.Module<Tensor, Tensor>> createCopy, double decay)
        : this(trained, createCopy(), decay)
    {
        _ownsNetwork = true;
        using (no_grad())
            foreach (var (average, weight) in _pairs) average.copy_(weight);
    }

    /// <summary>
    /// Continues an average whose current weights are those of <paramref name="averaged"/> (a resumed run); the caller
    /// keeps ownership of <paramref name="averaged"/>.
    /// </summary>
    public WeightAverage(nn.Module<Tensor, Tensor> trained, nn.Module<Tensor, Tensor> averaged, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay must be between 0 and 1.");
        Decay = decay;
        Network = averaged;
        Network.to(trained.parameters().First().device);
        Network.eval();
        var averages = Network.state_dict();
        var weights = trained.state_dict();
        _pairs = weights.Select(p => (averages[p.Key], p.Value)).ToArray();
        foreach (var parameter in Network.parameters()) parameter.requires_grad = false;
    }

    /// <summary>The decay per step.</summary>
    public double Decay { get; }

    /// <summary>The averaged network (always in evaluation mode; no gradients).</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The decay used after <paramref name="step"/> optimizer steps (1-based).</summary>
    public double DecayAt(long step) => Math.Min(Decay, (1.0 + step) / (10.0 + step));

    /// <summary>Moves the average towards the trained weights after optimizer step <paramref name="step"/>.</summary>
    public void Update(long step)
    {
        using var weight = tensor((float)(1 - DecayAt(step)));
        using (no_grad())
            foreach (var (average, trained) in _pairs)
            {
                // Integer buffers (batch norm's num_batches_tracked) are copied, as timm's ModelEmaV2 does.
                if (average.is_floating_point()) average.lerp_(trained, weight);
                else average.copy_(trained);
            }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsNetwork) Network.Dispose();
    }
}
