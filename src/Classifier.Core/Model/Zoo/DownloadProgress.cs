namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Where a weights download stands: reported once before the first byte, after every block received, and once when
/// the file is verified and in place (<see cref="Done"/>).
/// </summary>
/// <param name="Url">What is being downloaded (after the mirror is applied, before redirects).</param>
/// <param name="Destination">The file's final path in the cache.</param>
/// <param name="ReceivedBytes">Bytes received so far.</param>
/// <param name="TotalBytes">The size the server announced, or null when it announced none.</param>
/// <param name="ElapsedSeconds">Seconds since the request was sent.</param>
/// <param name="Done">True once the file's hash matched and it is under its final name.</param>
public sealed record DownloadProgress(string Url, string Destination, long ReceivedBytes, long? TotalBytes, double ElapsedSeconds, bool Done)
{
    /// <summary>Mean rate since the request was sent, bytes per second.</summary>
    public double BytesPerSecond => ElapsedSeconds > 0 ? ReceivedBytes / ElapsedSeconds : 0;

    /// <summary>Seconds left at the mean rate, or null when the size or the rate is unknown.</summary>
    public double? EtaSeconds => TotalBytes is { } total && BytesPerSecond > 0 ? Math.Max(0, total - ReceivedBytes) / BytesPerSecond : null;
}
