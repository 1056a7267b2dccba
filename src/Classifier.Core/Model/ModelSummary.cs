using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Model;

/// <summary>One layer of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">Layer name as in the state dict (conv1, fc1, ...).</param>
/// <param name="Kind">Layer type.</param>
/// <param name="OutputShape">Output shape without the batch dimension, channels first.</param>
/// <param name="Parameters">Trainable parameters of the layer.</param>
public sealed record SummaryRow(string Name, string Kind, int[] OutputShape, long Parameters);

/// <summary>The layer table that Keras' <c>model.summary()</c> prints, computed from the architecture.</summary>
public sealed record ModelSummary(IReadOnlyList<SummaryRow> Rows)
{
    /// <summary>Sum of the parameters of all layers.</summary>
    public long TotalParameters => Rows.Sum(r => r.Parameters);

    /// <summary>
    /// The summary of any network: one row per top-level module with its output shape, measured by a forward pass of
    /// one <paramref name="imageSize"/> px image (eval mode, no gradients; the network's mode is restored), and its
    /// parameters. Modules that run more than once, or not at all through <c>call</c>, show no shape.
    /// </summary>
    public static ModelSummary Of(nn.Module<Tensor, Tensor> network, int imageSize)
    {
        var shapes = new Dictionary<string, int[]>();
        var removers = new List<Action>();
        foreach (var (name, child) in network.named_children())
        {
            if (child is not nn.Module<Tensor, Tensor> typed) continue;
            var remover = typed.register_forward_hook((_, _, output) =>
            {
                shapes[name] = output.shape.Skip(1).Select(d => (int)d).ToArray();
                return null!;   // null keeps the output unchanged
            });
            removers.Add(remover.remove);
        }
        bool training = network.training;
        try
        {
            network.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var device = network.parameters().FirstOrDefault()?.device ?? CPU;
            network.call(zeros([1, Data.Preprocessing.Channels, imageSize, imageSize], device: device));
        }
        finally
        {
            foreach (var remove in removers) remove();
            network.train(training);
        }
        var rows = network.named_children()
            .Select(c => new SummaryRow(c.name, c.module.GetType().Name, shapes.GetValueOrDefault(c.name, []),
                c.module.parameters().Sum(p => p.numel())))
            .ToList();
        return new ModelSummary(rows);
    }

    /// <summary>The table as text, one line per layer, with the total at the bottom.</summary>
    public string ToText()
    {
        var lines = new List<string>
        {
            $"{"Layer (type)",-34}{"Output shape",-20}{"Params",14}",
            new('=', 68),
        };
        foreach (var row in Rows)
            lines.Add($"{$"{row.Name} ({row.Kind})",-34}{"(" + string.Join(", ", row.OutputShape) + ")",-20}{row.Parameters,14:N0}");
        lines.Add(new('=', 68));
        lines.Add($"Total params: {TotalParameters:N0} ({TotalParameters * 4.0 / (1 << 20):F2} MB as float32)");
        return string.Join(Environment.NewLine, lines);
    }
}
