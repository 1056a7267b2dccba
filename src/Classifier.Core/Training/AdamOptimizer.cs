using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// Adam, and AdamW when <see cref="WeightDecay"/> is set, computed exactly as PyTorch does (bias-corrected moments,
/// eps added to the corrected root; decoupled decay multiplies the weights by 1 - lr x decay before the step).
/// It lives here rather than using TorchSharp's optimizers because those pass implicitly converted
/// <see cref="Scalar"/> temporaries to libtorch: such a temporary is unreachable during the native call, and when the
/// garbage collector finalizes it there, libtorch reads freed memory (a long run died with "toFloat ... Expected
/// false to be true"). Here every scalar is a local held until the call returns. Upstream, dotnet/TorchSharp pull
/// requests #1434 ("Dispose Scalars implicitly created in Tensor operators") and #1496 ("Dispose implicitly converted
/// TorchSharp.Scalar and torch.Tensor") make the library dispose those temporaries itself; both were still open for
/// TorchSharp 0.107.0. This class can go once the pinned TorchSharp contains them and a long run with
/// <c>torch.optim.Adam</c> no longer fails; <c>AdamOptimizerTests</c> pins the numbers any replacement must match.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double[] _learningRateScales;
    private readonly long[] _steps;

    /// <summary>
    /// Creates the optimizer for <paramref name="parameters"/> with zeroed moments. <paramref name="learningRateScales"/>
    /// (one per parameter; null for all 1) multiplies <see cref="LearningRate"/> per parameter: PyTorch's parameter
    /// groups, used for a lower backbone rate when fine-tuning.
    /// </summary>
    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-7, double weightDecay = 0, IReadOnlyList<double>? learningRateScales = null)
    {
        _parameters = parameters.ToArray();
        _learningRateScales = learningRateScales?.ToArray() ?? Enumerable.Repeat(1.0, _parameters.Length).ToArray();
        if (_learningRateScales.Length != _parameters.Length)
            throw new ArgumentException($"{_learningRateScales.Length} learning-rate scales for {_parameters.Length} parameters.", nameof(learningRateScales));
        _steps = new long[_parameters.Length];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        using (no_grad())
        {
            _expAvg = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            _expAvgSq = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    /// <summary>Step size of the next steps.</summary>
    public double LearningRate { get; set; }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the bias-corrected root of the second moment.</summary>
    public double Eps { get; }

    /// <summary>Decoupled weight decay (0 = plain Adam).</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken so far; each parameter's bias correction counts the steps that updated it.</summary>
    public long Steps { get; private set; }

    /// <summary>Sets every gradient to zero (before the next backward pass).</summary>
    public void ZeroGrad()
    {
        using var noGrad = no_grad();
        foreach (var parameter in _parameters) parameter.grad?.zero_();
    }

    /// <summary>
    /// Updates every parameter that has a gradient. Written for few passes over memory (at 224 px the dense layer
    /// alone is 177 MB): the first moment is one <c>lerp_</c>, and the bias correction of the second moment is
    /// folded into eps and the step size, since sqrt(v) / sqrt(c2) + eps = (sqrt(v) + eps x sqrt(c2)) / sqrt(c2).
    /// The result equals PyTorch's formula up to float round-off.
    /// </summary>
    public void Step()
    {
        Steps++;
        using var noGrad = no_grad();
        using var oneMinusBeta1 = tensor((float)(1 - Beta1));
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var one = 1.0.ToScalar();
        // One step size, eps and decay factor per distinct (scale, step count): a parameter's bias correction counts its
        // own steps, as PyTorch's per-parameter state does, so a backbone that starts training after frozen epochs
        // (--freeze-epochs) begins with the corrections of a first step instead of a tiny denominator.
        var groups = new Dictionary<(double Scale, long Steps), (Scalar NegativeStepSize, Scalar Eps, Scalar Decay)>();
        try
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                if (_parameters[i].grad is null || _learningRateScales[i] == 0) continue;
                long steps = ++_steps[i];
                var key = (_learningRateScales[i], steps);
                if (!groups.TryGetValue(key, out var group)) groups[key] = group = Group(key.Item1, steps);
                Update(i, oneMinusBeta1, beta2, oneMinusBeta2, one, group);
            }
        }
        finally
        {
            foreach (var (step, eps, decay) in groups.Values)
            {
                step.Dispose();
                eps.Dispose();
                decay.Dispose();
            }
        }
    }

    private (Scalar NegativeStepSize, Scalar Eps, Scalar Decay) Group(double scale, long steps)
    {
        double correction1 = 1 - Math.Pow(Beta1, steps);
        double rootCorrection2 = Math.Sqrt(1 - Math.Pow(Beta2, steps));
        return ((-(LearningRate * scale) / correction1 * rootCorrection2).ToScalar(), (Eps * rootCorrection2).ToScalar(),
            (1 - LearningRate * scale * WeightDecay).ToScalar());
    }

    private void Update(int i, Tensor oneMinusBeta1, Scalar beta2, Scalar oneMinusBeta2, Scalar one,
        (Scalar NegativeStepSize, Scalar Eps, Scalar Decay) group)
    {
        var parameter = _parameters[i];
        var grad = parameter.grad!;
        if (WeightDecay != 0) parameter.mul_(group.Decay);
        _expAvg[i].lerp_(grad, oneMinusBeta1);
        _expAvgSq[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
        using var root = _expAvgSq[i].sqrt();
        root.add_(group.Eps, one);
        parameter.addcdiv_(_expAvg[i], root, group.NegativeStepSize);
    }

    /// <summary>
    /// Writes the step count and both moments of every parameter, then each parameter's own step count (after the
    /// moments, so that checkpoints written before those counts existed still read: their parameters all took every step).
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Steps);
        writer.Write(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i].Save(writer);
            _expAvgSq[i].Save(writer);
        }
        foreach (long steps in _steps) writer.Write(steps);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; the parameters must be the same in number and shape.</summary>
    public void Load(BinaryReader reader)
    {
        long steps = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"The optimizer state has {count} parameters; the network has {_parameters.Length}.");
        using var noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            _expAvg[i].Load(reader);
            _expAvgSq[i].Load(reader);
        }
        var stream = reader.BaseStream;
        bool perParameter = stream.CanSeek && stream.Length - stream.Position >= (long)count * sizeof(long);
        for (int i = 0; i < count; i++) _steps[i] = perParameter ? reader.ReadInt64() : steps;
        Steps = steps;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
    }
}
