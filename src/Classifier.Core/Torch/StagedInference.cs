using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// Inference that frees each stage's activations as soon as the next stage has read them, as PyTorch's reference
/// counting does. A network's plain <c>call</c> runs inside the caller's dispose scope, which keeps every intermediate
/// tensor of the batch alive until the batch ends, so <c>eval</c> of a ResNet would peak far above PyTorch's inference memory
/// (docs/performance.md, "Memory at 224 px"). A registered network is run as its ordered stages instead (its top-level modules,
/// with <see cref="Sequential"/> containers opened up, so a ResNet runs block by block; the ResNets of the zoo are
/// registered, not the MobileNets, whose forward pools between its modules), each in its own dispose scope;
/// the values are those of <c>call</c>, bit for bit (<c>StagedInferenceTests</c>). Inference only: autograd needs the
/// intermediates that training keeps.
/// </summary>
public static class StagedInference
{
    private static readonly ConditionalWeakTable<nn.Module<Tensor, Tensor>, Func<Tensor, Tensor>[]> Stages = new();

    /// <summary>
    /// Registers <paramref name="network"/>, whose forward is its named children applied in order (with a flatten to
    /// [N, features] before the first linear layer), for staged inference; returns it.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Register(nn.Module<Tensor, Tensor> network)
    {
        var stages = new List<Func<Tensor, Tensor>>();
        bool flattened = false;
        foreach (var (_, child) in network.named_children()) Add(child, stages, ref flattened);
        Stages.AddOrUpdate(network, [.. stages]);
        return network;
    }

    private static void Add(nn.Module child, List<Func<Tensor, Tensor>> stages, ref bool flattened)
    {
        if (child is Sequential sequential)
        {
            foreach (var (_, inner) in sequential.named_children()) Add(inner, stages, ref flattened);
            return;
        }
        if (child is not nn.Module<Tensor, Tensor> module)
            throw new InvalidOperationException($"StagedInference: {child.GetType().Name} is not a tensor-to-tensor module.");
        if (!flattened && child is Linear or Dropout)
        {
            stages.Add(x => x.flatten(1));
            flattened = true;
        }
        stages.Add(module.call);
    }

    /// <summary>
    /// <paramref name="network"/>'s output for <paramref name="input"/>, in the caller's dispose scope: staged when the
    /// network is registered and no gradients are recorded, else its plain <c>call</c>.
    /// </summary>
    public static Tensor Call(nn.Module<Tensor, Tensor> network, Tensor input)
    {
        if (is_grad_enabled() || !Stages.TryGetValue(network, out var stages)) return network.call(input);
        var x = InputLayout.For(network, input);   // what the network's hooks do
        // What the network's MixedPrecision hooks do: the stages under one autocast region, fp32 logits out.
        using (MixedPrecision.IsMixed(network) ? Autocast.Enter() : default)
        {
            foreach (var stage in stages)
            {
                Tensor y;
                using (NewDisposeScope())
                {
                    y = stage(x);
                    if (ReferenceEquals(y, x)) continue;   // an in-place stage (ReLU, eval-mode dropout) hands its input back
                    y.MoveToOuterDisposeScope();
                }
                if (!ReferenceEquals(x, input)) x.Dispose();   // read by this stage, needed by no other
                x = y;
            }
        }
        if (x.dtype == ScalarType.Float32) return x;
        var logits = x.to_type(ScalarType.Float32);
        if (!ReferenceEquals(x, input)) x.Dispose();
        return logits;
    }
}
