namespace Classifier.Core.Reporting;

/// <summary>
/// An evaluation kept in a run folder, <c>eval-NAME/metrics.json</c>, as <c>classify runs</c> ranks and lists it: the
/// top-1 accuracy and what was evaluated.
/// </summary>
/// <param name="Name">The folder's name without <c>eval-</c> (<c>test</c> for <c>eval-test</c>): what <c>--by eval:NAME</c> names.</param>
/// <param name="Accuracy">Top-1 accuracy.</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="Data">The data folder that was evaluated, as metrics.json records it (empty when it does not).</param>
public sealed record RunEvaluation(string Name, double Accuracy, long Images, string Data);
