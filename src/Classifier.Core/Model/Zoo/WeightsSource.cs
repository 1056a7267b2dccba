using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Where <c>--weights</c> leads: a run folder or <c>.cls</c> file classify trained (<see cref="ClassifyModelWeights"/>),
/// else pretrained weights or a state dict file (<see cref="PretrainedWeights"/>). The one dispatch used by training and
/// <c>lr-find</c>.
/// </summary>
public static class WeightsSource
{
    /// <summary>Checks that <paramref name="weights"/> can start <paramref name="spec"/> before any work starts.</summary>
    public static void CheckSource(string weights, NetworkSpec spec)
    {
        if (IsClassifyModel(weights)) ClassifyModelWeights.CheckSource(weights, spec);
        else PretrainedWeights.CheckSource(weights, spec);
    }

    /// <summary>Loads <paramref name="weights"/> into <paramref name="network"/> and returns the one-line note for the log.</summary>
    public static string Load(string weights, NetworkSpec spec, nn.Module<Tensor, Tensor> network, IReadOnlyList<string> classNames) =>
        IsClassifyModel(weights)
            ? ClassifyModelWeights.Load(weights, spec, network, classNames)
            : PretrainedWeights.Load(weights, spec, network);

    /// <summary>Whether <paramref name="weights"/> names a run folder or .cls model classify trained, rather than pretrained weights or a state dict.</summary>
    public static bool IsClassifyModel(string weights) => weights != PretrainedWeights.ImageNet && ClassifyModelWeights.Matches(weights);
}
