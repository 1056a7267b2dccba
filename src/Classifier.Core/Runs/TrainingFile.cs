namespace Classifier.Core.Runs;

/// <summary>One row of <c>files.csv</c> (see <see cref="TrainingFiles"/>).</summary>
/// <param name="Split"><c>train</c> or <c>validation</c>.</param>
/// <param name="ClassName">The image's class.</param>
/// <param name="Path">Path relative to the split's data folder.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lower-case hex (empty when it could not be read).</param>
public sealed record TrainingFile(string Split, string ClassName, string Path, string Sha256);
