using System.Text.Json;
using System.Text.Json.Serialization;

namespace Classifier.Core.Torch;

/// <summary><see cref="Precision"/> in JSON as on the command line: <c>fp32</c>, <c>bf16</c>.</summary>
public sealed class PrecisionJsonConverter() : JsonStringEnumConverter<Precision>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
