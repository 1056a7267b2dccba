using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Classifier.Cli.Serve;

/// <summary>
/// The bounds every inference request runs within: admission (at most <see cref="ServeSettings.QueueSize"/> in
/// flight, else 503 with Retry-After, as a full TorchServe or Triton queue answers) and the per-request timeout
/// (503 with Retry-After when the answer takes longer than <see cref="ServeSettings.TimeoutMs"/>).
/// </summary>
internal static class InferenceRequest
{
    public static async Task Run(HttpContext context, ServeMetrics metrics, ServeSettings settings, Func<CancellationToken, Task> handle)
    {
        if (!metrics.TryEnter(settings.QueueSize))
        {
            metrics.CountError("queue_full");
            await Responses.Error(context, StatusCodes.Status503ServiceUnavailable,
                $"busy: {settings.QueueSize} requests are already queued (--queue-size); retry shortly", retryAfterSeconds: 1);
            return;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(settings.TimeoutMs);
            try
            {
                await handle(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                metrics.CountError("timeout");
                await Responses.Error(context, StatusCodes.Status503ServiceUnavailable,
                    $"not answered within {settings.TimeoutMs.ToString(CultureInfo.InvariantCulture)} ms (--timeout-ms); the server is overloaded, retry shortly",
                    retryAfterSeconds: 1);
            }
            catch (ServerStoppingException)
            {
                metrics.CountError("stopping");
                await Responses.Error(context, StatusCodes.Status503ServiceUnavailable, "the server is stopping; retry on another replica", retryAfterSeconds: 1);
            }
        }
        finally
        {
            metrics.Leave();
        }
    }

    /// <summary>The request's <c>top_k</c> (query or parameter), else the server's; null with a reason when it is not a positive whole number.</summary>
    public static int? TopK(string? text, ServeSettings settings, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text)) return settings.TopK;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1) return k;
        error = $"top_k '{text}': give a whole number of 1 or more";
        return null;
    }
}
