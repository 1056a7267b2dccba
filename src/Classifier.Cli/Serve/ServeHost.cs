using System.Diagnostics;
using System.Net;
using Classifier.Core.Reporting;
using Classifier.Core.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Classifier.Cli.Serve;

/// <summary>
/// The Kestrel application behind <c>classify serve</c>: limits, the access log and metrics around every request,
/// and the routes (the page, <c>/predict</c>, the Open Inference Protocol v2, <c>/metrics</c>). All model work goes
/// through <see cref="ImageClassifier"/> and the <see cref="InferenceBatcher"/>.
/// </summary>
internal static class ServeHost
{
    /// <summary>Builds the application (not started) listening where <paramref name="settings"/> say.</summary>
    public static WebApplication Build(ServingModel model, InferenceBatcher batcher, ServeMetrics metrics, ServeSettings settings,
        TextWriter accessLog, Func<bool> ready)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The access log below is the one line per request; the framework's own console logging would interleave with it.
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownSeconds));
        builder.Services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = settings.MaxRequestBytes);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Listen(ListenAddress(settings.Host), settings.Port);
        });
        var app = builder.Build();
        var classifier = new ImageClassifier(model, batcher, metrics);
        var log = new AccessLog(accessLog);

        app.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // Kestrel's own limits (body over --max-request-bytes: 413) surface here when the body is read.
                metrics.CountError(e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too_large" : "bad_request");
                await Responses.Error(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"request body over the limit of {settings.MaxRequestBytes:N0} bytes (--max-request-bytes)"
                    : e.Message);
            }
            catch (InvalidDataException e) when (!context.Response.HasStarted)
            {
                // A multipart body over the limit, or not well formed.
                bool tooLarge = e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);
                metrics.CountError(tooLarge ? "too_large" : "bad_request");
                await Responses.Error(context, tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                    tooLarge ? $"request body over the limit of {settings.MaxRequestBytes:N0} bytes (--max-request-bytes)" : $"malformed multipart body: {e.Message}");
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                metrics.CountError("internal");
                accessLog.WriteLine($"error: {context.Request.Method} {ControlCharacters.Escape(context.Request.Path)}: {e.GetType().Name}: {ControlCharacters.Escape(e.Message)}");
                await Responses.Error(context, StatusCodes.Status500InternalServerError, $"internal error: {e.Message}");
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is no one to answer. Logged as 499, nginx's code for it.
                context.Response.StatusCode = 499;
            }
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
            metrics.ObserveRequest(route, context.Request.Method, context.Response.StatusCode, seconds);
            log.Write(context, seconds);
        });

        var page = IndexPage.For(settings.ModelName);
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapPost("/predict", (HttpContext context) => PredictEndpoint.Handle(context, classifier, metrics, settings, model));
        OpenInferenceProtocol.Map(app, model, classifier, metrics, settings, ready);
        app.MapFallback((HttpContext context) => Responses.Error(context, StatusCodes.Status404NotFound,
            "no such endpoint; see GET / (page), POST /predict, GET /v2, POST /v2/models/{name}/infer, GET /metrics"));
        return app;
    }

    /// <summary>The address for <c>--host</c>: an IP address, or localhost (127.0.0.1).</summary>
    private static IPAddress ListenAddress(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var address)) return address;
        throw new Core.ClassifierException($"--host '{host}': give an IP address (127.0.0.1, 0.0.0.0 for every interface, ::) or localhost.");
    }
}
