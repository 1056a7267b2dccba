using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// One download into the cache, as torch.hub's <c>download_url_to_file</c> does it: into a temporary file in the
/// destination's folder, hashed on the way, checked against the expected SHA-256 prefix, then renamed to its final
/// name. Nothing is ever written under the final name except a complete, verified file, so an interrupted or failed
/// download leaves no file there; two processes fetching the same file each write their own temporary file and the
/// rename of either leaves one intact copy.
/// </summary>
internal static class WeightsDownload
{
    private const int BlockBytes = 1 << 16;

    /// <summary>
    /// Downloads <paramref name="source"/> to <paramref name="destination"/> and returns its SHA-256 (lowercase hex).
    /// A stall of <paramref name="stallTimeout"/> (no headers, or no next block) abandons it. Failures are the
    /// exception <paramref name="failure"/> makes from the reason; cancellation through <paramref name="cancellation"/>
    /// is rethrown as it is.
    /// </summary>
    public static string Run(Uri source, string destination, string hashPrefix, TimeSpan stallTimeout,
        Action<DownloadProgress>? progress, CancellationToken cancellation, Func<string, ClassifierException> failure)
    {
        string folder = Path.GetDirectoryName(destination)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw failure($"the cache folder '{folder}' could not be created ({e.Message}); set TORCH_HOME to a writable folder");
        }
        // Named after the final file, so a leftover of a killed process says what it was; never matched as a weights file.
        string temporary = Path.Combine(folder, $"{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        try
        {
            var (sha256, last) = DownloadAsync(source, destination, temporary, stallTimeout, progress, cancellation, failure).GetAwaiter().GetResult();
            if (!sha256.StartsWith(hashPrefix, StringComparison.Ordinal))
                throw failure($"the file received has SHA-256 {sha256}, but its name says it starts with {hashPrefix}; the download was deleted (a wrong file on the server or mirror, or a damaged transfer)");
            Publish(temporary, destination, failure);
            progress?.Invoke(last with { Done = true });
            return sha256;
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The temporary name is never read as weights; a leftover only costs disk space.
            }
        }
    }

    /// <summary>Receives the file into <paramref name="temporary"/>; returns its SHA-256 and the last progress reported.</summary>
    private static async Task<(string Sha256, DownloadProgress Last)> DownloadAsync(Uri source, string destination, string temporary, TimeSpan stallTimeout,
        Action<DownloadProgress>? progress, CancellationToken cancellation, Func<string, ClassifierException> failure)
    {
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = stallTimeout,
            AutomaticDecompression = DecompressionMethods.None,
        };
        // No overall timeout: a large file on a slow link may take long; what is limited is the wait for each block.
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"classify/{ToolInfo.Version}");
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var clock = Stopwatch.StartNew();
        long received = 0;
        try
        {
            stall.CancelAfter(stallTimeout);
            using var response = await client.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw failure($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            long? total = response.Content.Headers.ContentLength;
            progress?.Invoke(new DownloadProgress(source.AbsoluteUri, destination, 0, total, clock.Elapsed.TotalSeconds, Done: false));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false))
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BlockBytes))
            {
                var buffer = new byte[BlockBytes];
                while (true)
                {
                    stall.CancelAfter(stallTimeout);
                    int read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    if (read == 0) break;
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                    hash.AppendData(buffer, 0, read);
                    received += read;
                    progress?.Invoke(new DownloadProgress(source.AbsoluteUri, destination, received, total, clock.Elapsed.TotalSeconds, Done: false));
                }
                if (total is { } expected && received != expected)
                    throw failure($"the connection closed after {received:N0} of {expected:N0} bytes");
                file.Flush(flushToDisk: true);
            }
            return (Convert.ToHexStringLower(hash.GetHashAndReset()),
                new DownloadProgress(source.AbsoluteUri, destination, received, total, clock.Elapsed.TotalSeconds, Done: false));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw failure(received == 0
                ? $"no answer within {Seconds(stallTimeout)} (a stalled connection; {WeightsFetchSettings.TimeoutVariable} sets the limit in seconds)"
                : $"no data for {Seconds(stallTimeout)} after {received:N0} bytes (a stalled connection; {WeightsFetchSettings.TimeoutVariable} sets the limit in seconds)");
        }
        catch (HttpRequestException e)
        {
            throw failure(e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        catch (IOException e)
        {
            throw failure($"{e.Message} after {received:N0} bytes");
        }
        catch (UnauthorizedAccessException e)
        {
            throw failure($"the cache folder is not writable ({e.Message}); set TORCH_HOME to a writable folder");
        }
    }

    /// <summary>
    /// Renames the verified temporary file to its final name, replacing a copy another process may have put there
    /// meanwhile (rename(2) replaces atomically, so a reader sees one whole file or the other). Where the platform
    /// refuses to replace a file in use, the copy already there is verified by its own writer and is kept.
    /// </summary>
    private static void Publish(string temporary, string destination, Func<string, ClassifierException> failure)
    {
        try
        {
            File.Move(temporary, destination, overwrite: true);
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && File.Exists(destination))
        {
            // Another process's verified copy is in place.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw failure($"the downloaded file could not be renamed to its final name ({e.Message})");
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
