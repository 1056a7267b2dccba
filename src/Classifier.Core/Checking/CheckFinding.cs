namespace Classifier.Core.Checking;

/// <summary>One problem found by <c>classify check</c>.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Kind">One of <see cref="FindingKinds"/>.</param>
/// <param name="Message">One line saying what is wrong (and, for file problems, the same reason training gives).</param>
/// <param name="Paths">The files or folders concerned (several for duplicates), full paths.</param>
public sealed record CheckFinding(Severity Severity, string Kind, string Message, IReadOnlyList<string> Paths);
