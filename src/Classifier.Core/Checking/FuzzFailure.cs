namespace Classifier.Core.Checking;

/// <summary>A fuzz case the decoder did not survive cleanly.</summary>
/// <param name="Case">Case number; with the seed it reproduces the input.</param>
/// <param name="Seed">Name of the seed file that was mutated, e.g. "png-palette".</param>
/// <param name="Mutation">What was done to it, e.g. "flip 3 bytes, truncate to 212".</param>
/// <param name="Problem">"unhandled ExceptionType: message", "hang" or "memory".</param>
/// <param name="Input">The mutated bytes.</param>
public sealed record FuzzFailure(int Case, string Seed, string Mutation, string Problem, byte[] Input);
