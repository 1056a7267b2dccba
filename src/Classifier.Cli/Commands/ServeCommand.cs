using System.CommandLine;
using Classifier.Cli.Serve;
using Classifier.Core.Options;
using Classifier.Core.Serving;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify serve --model RUN_DIR|model.cls|model.onnx</c>: answers HTTP requests with the model (Kestrel): a page at
/// <c>/</c>, <c>POST /predict</c> (predict's JSON rows), the KServe Open Inference Protocol v2 and Prometheus metrics.
/// Prints the address on stdout once listening and one access-log line per request on stderr. SIGTERM or Ctrl+C
/// stops accepting, finishes the requests in flight and exits 0.
/// </summary>
internal static class ServeCommand
{
    private static readonly ServeSettings Defaults = new();
    private static readonly ServeModelOptions ModelDefaults = new() { Model = "." };

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Run folder (uses its best.cls), model file (.cls) or exported ONNX file (.onnx).", Required = true, HelpName = "RUN_DIR|MODEL_FILE" };
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0 for every interface, as in a container).", DefaultValueFactory = _ => Defaults.Host, HelpName = "ADDRESS" };
        var port = ValueOptions.Number("--port", OptionKind.Int, "TCP port; 0 picks a free one (printed on stdout).", Defaults.Port, "PORT");
        var name = new Option<string>("--name") { Description = "The model's name in the v2 protocol's URLs (/v2/models/NAME/infer).", DefaultValueFactory = _ => Defaults.ModelName, HelpName = "NAME" };
        var batchSize = ValueOptions.Number("--batch-size", OptionKind.Int, "Most images per forward pass, gathered from concurrent requests.", Defaults.BatchSize, "N", "-b");
        var maxDelay = ValueOptions.Number("--max-delay-ms", OptionKind.Int, "How long an image waits for others to fill a batch, in ms.", Defaults.MaxDelayMs, "MS");
        var queueSize = ValueOptions.Number("--queue-size", OptionKind.Int, "Most inference requests in flight; more are answered 503 with Retry-After.", Defaults.QueueSize, "N");
        var timeout = ValueOptions.Number("--timeout-ms", OptionKind.Int, "A request not answered within this time gets 503 with Retry-After.", Defaults.TimeoutMs, "MS");
        var maxRequest = ValueOptions.Number("--max-request-bytes", OptionKind.Long, "Largest request body (413 above it).", Defaults.MaxRequestBytes, "BYTES");
        var topK = ValueOptions.Number("--top-k", OptionKind.Int, "Most probable classes per image, unless a request asks (top_k).", Defaults.TopK, "K");
        var threads = ValueOptions.Number("--threads", OptionKind.Int, "libtorch and ONNX Runtime threads (0 = one per core).", ModelDefaults.Threads);
        var maxPixels = ValueOptions.Number("--max-pixels", OptionKind.Long, "Refuse images larger than this many pixels (400).", ModelDefaults.MaxPixels);
        var device = DeviceOption.Create();
        var engine = EngineOption.Create();
        var tta = TtaOption.Create();

        var command = new Command("serve", "Answer HTTP requests with a trained model: a page, POST /predict, KServe v2, /metrics.")
        {
            model, host, port, name, batchSize, maxDelay, queueSize, timeout, maxRequest, topK, threads, maxPixels, device, engine, tta,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var settings = new ServeSettings
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                ModelName = parse.GetValue(name)!,
                BatchSize = parse.GetValue(batchSize),
                MaxDelayMs = parse.GetValue(maxDelay),
                QueueSize = parse.GetValue(queueSize),
                TimeoutMs = parse.GetValue(timeout),
                MaxRequestBytes = parse.GetValue(maxRequest),
                TopK = parse.GetValue(topK),
            };
            settings.Validate();
            using var served = ServingModel.Open(new ServeModelOptions
            {
                Model = parse.GetValue(model)!,
                Threads = parse.GetValue(threads),
                MaxPixels = parse.GetValue(maxPixels),
                TestTimeAugmentation = TtaOption.Read(parse, tta),
                Device = DeviceOption.Read(parse, device),
                Engine = EngineOption.Read(parse, engine),
            });
            return Serve(served, settings, terminal, ct);
        }));
        return command;
    }

    /// <summary>
    /// Runs the server until <paramref name="stop"/> (SIGTERM, Ctrl+C) or the host's own stop: the network on this
    /// thread (the batcher), Kestrel on the thread pool. Stopping is Kubernetes' contract: readiness turns 503, new
    /// connections are refused, requests in flight are answered (up to <see cref="ServeSettings.ShutdownSeconds"/>),
    /// then the batcher drains and the process exits 0.
    /// </summary>
    private static int Serve(ServingModel model, ServeSettings settings, Output.Terminal terminal, CancellationToken stop)
    {
        var metrics = new ServeMetrics();
        using var batcher = new InferenceBatcher(model, settings, metrics);
        metrics.QueuedImages = () => batcher.Queued;
        bool ready = true;
        var app = ServeHost.Build(model, batcher, metrics, settings, terminal.Error, () => Volatile.Read(ref ready));
        try
        {
            app.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new Core.ClassifierException($"cannot listen on {settings.Host}:{settings.Port}: {e.Message} (--host, --port; --port 0 picks a free port).", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? $"http://{settings.Host}:{settings.Port}";
        if (model.EngineNote is { } note) terminal.Error.WriteLine($"note: {note}");
        terminal.Out.WriteLine($"classify serve: listening on {address} (model {model.ModelPath}, {model.Architecture}, engine {Core.EnumValues.Name(model.Engine)}, batch {settings.BatchSize}, max delay {settings.MaxDelayMs} ms)");
        terminal.Out.Flush();
        var stopped = StopWhenAsked(app, batcher, stop, () => Volatile.Write(ref ready, false), terminal);
        batcher.Run();   // returns once the app has stopped and every queued image is answered
        stopped.GetAwaiter().GetResult();
        terminal.Error.WriteLine("classify serve: stopped; in-flight requests were answered.");
        return ExitCodes.Ok;
    }

    private static async Task StopWhenAsked(Microsoft.AspNetCore.Builder.WebApplication app, InferenceBatcher batcher, CancellationToken stop,
        Action notReady, Output.Terminal terminal)
    {
        try
        {
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stop.Register(() => asked.TrySetResult()))
            using (lifetime.ApplicationStopping.Register(() => asked.TrySetResult()))
                await asked.Task;
            notReady();
            terminal.Error.WriteLine("classify serve: stopping; finishing the requests in flight...");
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
        finally
        {
            batcher.Complete();
        }
    }
}
