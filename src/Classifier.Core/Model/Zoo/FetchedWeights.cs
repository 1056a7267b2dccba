namespace Classifier.Core.Model.Zoo;

/// <summary>A weights file in the cache, verified against the hash prefix in its name.</summary>
/// <param name="Path">The file.</param>
/// <param name="Sha256">SHA-256 of its bytes, lowercase hex.</param>
/// <param name="Downloaded">True when this call downloaded it, false when it was already in the cache.</param>
public sealed record FetchedWeights(string Path, string Sha256, bool Downloaded);
