using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo.PreZoo;

/// <summary>
/// Adam as the build before the model zoo (commit a8252e1) stepped and saved it, with Keras' eps of 1e-7 and no
/// weight decay: the first moment by one lerp_, the second moment's bias correction folded into eps and the step
/// size. Frozen here as the reference for today's optimizer; <see cref="Save"/> writes a8252e1's "optimizer" section.
/// </summary>
internal sealed class PreZooAdam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-7;
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private long _steps;

    public PreZooAdam(IEnumerable<Parameter> parameters, double learningRate)
    {
        _parameters = parameters.ToArray();
        LearningRate = learningRate;
        using (no_grad())
        {
            _expAvg = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            _expAvgSq = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    public double LearningRate { get; }

    public void ZeroGrad()
    {
        using var noGrad = no_grad();
        foreach (var parameter in _parameters) parameter.grad?.zero_();
    }

    public void Step()
    {
        _steps++;
        double correction1 = 1 - Math.Pow(Beta1, _steps);
        double rootCorrection2 = Math.Sqrt(1 - Math.Pow(Beta2, _steps));
        using var noGrad = no_grad();
        using var oneMinusBeta1 = tensor((float)(1 - Beta1));
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var eps = (Eps * rootCorrection2).ToScalar();
        using var one = 1.0.ToScalar();
        using var negativeStepSize = (-LearningRate / correction1 * rootCorrection2).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            var grad = parameter.grad;
            if (grad is null) continue;
            _expAvg[i].lerp_(grad, oneMinusBeta1);
            _expAvgSq[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using var root = _expAvgSq[i].sqrt();
            root.add_(eps, one);
            parameter.addcdiv_(_expAvg[i], root, negativeStepSize);
        }
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(_steps);
        writer.Write(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i].Save(writer);
            _expAvgSq[i].Save(writer);
        }
    }

    public void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
    }
}
