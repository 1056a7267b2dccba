using System.Globalization;
using Classifier.Core.Reporting;
using Microsoft.AspNetCore.Http;

namespace Classifier.Cli.Serve;

/// <summary>
/// One line per request on stderr: time (UTC), client address, method, path, status, images, milliseconds. The path
/// is escaped, so a request cannot write control characters or fake lines into the log; the query is left out.
/// </summary>
internal sealed class AccessLog(TextWriter output)
{
    /// <summary>The key under which endpoints record how many images a request carried.</summary>
    public const string ImagesItem = "classify.images";

    private readonly Lock _lock = new();

    public void Write(HttpContext context, double seconds)
    {
        var images = context.Items.TryGetValue(ImagesItem, out var count) ? $" images={count}" : "";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {context.Connection.RemoteIpAddress} \"{context.Request.Method} {ControlCharacters.Escape(context.Request.Path.Value ?? "/")}\" {context.Response.StatusCode}{images} {seconds * 1000:0.0}ms");
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
