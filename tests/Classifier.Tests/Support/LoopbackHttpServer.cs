using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Classifier.Tests.Support;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a port the system picks) for download tests: one request per connection,
/// answered by a handler that writes the raw response, so a test can send exactly what a broken server sends
/// (headers and then nothing, half a body, a redirect). It records every request path.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string, Stream, CancellationToken, Task> _handler;
    private readonly Task _accepting;
    private readonly ConcurrentQueue<string> _paths = new();

    /// <summary>Starts serving; <paramref name="handler"/> gets each request's path and the connection's stream.</summary>
    public LoopbackHttpServer(Func<string, Stream, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseUrl { get; }

    /// <summary>The paths requested so far, in arrival order.</summary>
    public IReadOnlyList<string> Paths => [.. _paths];

    /// <summary>Serves <paramref name="files"/> (name to bytes) at /NAME; anything else is 404.</summary>
    public static LoopbackHttpServer Serving(IReadOnlyDictionary<string, byte[]> files) => new(async (path, stream, token) =>
    {
        if (files.TryGetValue(path.TrimStart('/'), out var body)) await SendAsync(stream, body, token);
        else await SendStatusAsync(stream, "404 Not Found", token);
    });

    /// <summary>A 200 response with Content-Length and the whole body.</summary>
    public static async Task SendAsync(Stream stream, byte[] body, CancellationToken token)
    {
        await SendHeadersAsync(stream, "200 OK", body.Length, token);
        await stream.WriteAsync(body, token);
    }

    /// <summary>The status line and headers of a response whose body is <paramref name="contentLength"/> bytes.</summary>
    public static async Task SendHeadersAsync(Stream stream, string status, long contentLength, CancellationToken token, string? extraHeader = null)
    {
        var head = $"HTTP/1.1 {status}\r\nContent-Length: {contentLength}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n" +
                   (extraHeader is null ? "" : extraHeader + "\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
        await stream.FlushAsync(token);
    }

    /// <summary>A body-less response with <paramref name="status"/>.</summary>
    public static Task SendStatusAsync(Stream stream, string status, CancellationToken token, string? extraHeader = null) =>
        SendHeadersAsync(stream, status, 0, token, extraHeader);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var path = await ReadRequestPathAsync(stream, _stop.Token);
                if (path is null) return;
                _paths.Enqueue(path);
                await _handler(path, stream, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping: nothing to answer.
            }
        }
    }

    private static async Task<string?> ReadRequestPathAsync(Stream stream, CancellationToken token)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, token) == 0) return null;
            head.Append((char)buffer[0]);
        }
        var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length >= 2 ? requestLine[1] : null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
