namespace Classifier.Cli.Serve;

/// <summary>How <c>classify serve</c> listens, batches and bounds its work (the options besides the model's).</summary>
internal sealed record ServeSettings
{
    /// <summary>Address to listen on; 127.0.0.1 keeps the server off the network unless asked.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (printed on stdout).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Most images per forward pass.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>How long the first image of a batch waits for others, in milliseconds.</summary>
    public int MaxDelayMs { get; init; } = 5;

    /// <summary>Most inference requests in flight (queued or running); one more is answered 503 with Retry-After.</summary>
    public int QueueSize { get; init; } = 64;

    /// <summary>A request not answered within this many milliseconds is answered 503 with Retry-After.</summary>
    public int TimeoutMs { get; init; } = 30_000;

    /// <summary>Largest request body in bytes (413 above it).</summary>
    public long MaxRequestBytes { get; init; } = 32L << 20;

    /// <summary>Most probable classes per image unless a request asks for another count.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The model's name in the v2 protocol's URLs.</summary>
    public string ModelName { get; init; } = "classifier";

    /// <summary>Seconds in-flight requests get to finish after SIGTERM.</summary>
    public int ShutdownSeconds { get; init; } = 30;

    /// <summary>Checks value ranges; throws <see cref="Core.ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new Core.ClassifierException($"--port {Port}: give 0 (any free port) to 65535.");
        if (BatchSize < 1) throw new Core.ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (MaxDelayMs < 0) throw new Core.ClassifierException($"--max-delay-ms {MaxDelayMs}: give 0 or more.");
        if (QueueSize < 1) throw new Core.ClassifierException($"--queue-size {QueueSize}: give at least 1.");
        if (TimeoutMs < 1) throw new Core.ClassifierException($"--timeout-ms {TimeoutMs}: give at least 1.");
        if (MaxRequestBytes < 1024) throw new Core.ClassifierException($"--max-request-bytes {MaxRequestBytes}: give at least 1024.");
        if (TopK < 1) throw new Core.ClassifierException($"--top-k {TopK}: give 1 or more.");
        if (string.IsNullOrWhiteSpace(ModelName) || ModelName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new Core.ClassifierException($"--name '{ModelName}': use letters, digits, '-', '_' and '.' only (it appears in URLs).");
    }
}
