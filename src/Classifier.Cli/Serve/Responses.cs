using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Classifier.Cli.Serve;

/// <summary>Error answers in the v2 protocol's shape, <c>{"error": "..."}</c>, which every endpoint uses.</summary>
internal static class Responses
{
    /// <summary>Quotes and apostrophes as themselves (the body is JSON, never HTML); still valid JSON.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task Error(HttpContext context, int status, string message, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Json(context, new JsonObject { ["error"] = message });
    }

    public static async Task Json(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(Readable));
    }
}
