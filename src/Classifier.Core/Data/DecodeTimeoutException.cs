namespace Classifier.Core.Data;

/// <summary>A file took longer than <see cref="ImageDecoder.DecodeTimeBudget"/> to decode; it is skipped like an unreadable one.</summary>
internal sealed class DecodeTimeoutException(string message) : TimeoutException(message);
