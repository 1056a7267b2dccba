using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Classifier.Cli.Serve;

/// <summary>
/// The server's counters in Prometheus' text exposition format (version 0.0.4) at <c>/metrics</c>: requests by route
/// and status code, request latency and batch histograms, images classified and refused, errors by kind, and the
/// queue. Route labels are the endpoint patterns, never raw paths, so a scan of random URLs cannot grow the series.
/// </summary>
internal sealed class ServeMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds.</summary>
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Upper bounds of the batch-size buckets, in images.</summary>
    private static readonly double[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128];

    private readonly ConcurrentDictionary<(string Route, string Method, int Code), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private readonly Histogram _batchSizes = new(BatchBuckets);
    private readonly Histogram _batchSeconds = new(LatencyBuckets);
    private long _imagesClassified;
    private long _imagesRefused;
    private long _inFlight;

    /// <summary>Reads the queue length when the metrics are rendered.</summary>
    public Func<int> QueuedImages { get; set; } = () => 0;

    /// <summary>Inference requests in flight now.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Counts one finished request.</summary>
    public void ObserveRequest(string route, string method, int code, double seconds)
    {
        _requests.AddOrUpdate((route, method, code), 1, (_, n) => n + 1);
        _latency.GetOrAdd(route, _ => new Histogram(LatencyBuckets)).Observe(seconds);
    }

    /// <summary>Counts a batch the network ran.</summary>
    public void ObserveBatch(int images, double seconds)
    {
        _batchSizes.Observe(images);
        _batchSeconds.Observe(seconds);
    }

    /// <summary>Counts images answered with classes and images refused (not decodable, over the limits).</summary>
    public void CountImages(int classified, int refused)
    {
        Interlocked.Add(ref _imagesClassified, classified);
        Interlocked.Add(ref _imagesRefused, refused);
    }

    /// <summary>Counts an error of <paramref name="kind"/> (queue_full, timeout, too_large, bad_request, inference, internal).</summary>
    public void CountError(string kind) => _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>Tries to admit one more inference request; false when <paramref name="limit"/> are already in flight.</summary>
    public bool TryEnter(int limit)
    {
        if (Interlocked.Increment(ref _inFlight) <= limit) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Ends an admitted request.</summary>
    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The exposition text.</summary>
    public string Render()
    {
        var s = new StringBuilder();
        s.Append("# HELP classify_http_requests_total HTTP requests answered, by route, method and status code.\n");
        s.Append("# TYPE classify_http_requests_total counter\n");
        foreach (var ((route, method, code), n) in _requests.OrderBy(p => p.Key))
            s.Append($"classify_http_requests_total{{route=\"{Escape(route)}\",method=\"{method}\",code=\"{code}\"}} {n}\n");
        s.Append("# HELP classify_http_request_duration_seconds Time from the request's arrival to its answer, by route.\n");
        s.Append("# TYPE classify_http_request_duration_seconds histogram\n");
        foreach (var (route, histogram) in _latency.OrderBy(p => p.Key, StringComparer.Ordinal))
            histogram.Write(s, "classify_http_request_duration_seconds", $"route=\"{Escape(route)}\"");
        s.Append("# HELP classify_images_total Images received, by result: classified, or refused (not an image, over the limits).\n");
        s.Append("# TYPE classify_images_total counter\n");
        s.Append($"classify_images_total{{result=\"classified\"}} {Interlocked.Read(ref _imagesClassified)}\n");
        s.Append($"classify_images_total{{result=\"refused\"}} {Interlocked.Read(ref _imagesRefused)}\n");
        s.Append("# HELP classify_errors_total Requests that failed, by kind.\n");
        s.Append("# TYPE classify_errors_total counter\n");
        foreach (var (kind, n) in _errors.OrderBy(p => p.Key, StringComparer.Ordinal))
            s.Append($"classify_errors_total{{kind=\"{kind}\"}} {n}\n");
        s.Append("# HELP classify_batch_images Images per forward pass.\n");
        s.Append("# TYPE classify_batch_images histogram\n");
        _batchSizes.Write(s, "classify_batch_images", "");
        s.Append("# HELP classify_batch_duration_seconds Time of one forward pass.\n");
        s.Append("# TYPE classify_batch_duration_seconds histogram\n");
        _batchSeconds.Write(s, "classify_batch_duration_seconds", "");
        s.Append("# HELP classify_queued_images Decoded images waiting for the network.\n");
        s.Append("# TYPE classify_queued_images gauge\n");
        s.Append($"classify_queued_images {QueuedImages()}\n");
        s.Append("# HELP classify_inflight_requests Inference requests being answered.\n");
        s.Append("# TYPE classify_inflight_requests gauge\n");
        s.Append($"classify_inflight_requests {InFlight}\n");
        return s.ToString();
    }

    private static string Escape(string label) => label.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A cumulative histogram with fixed buckets; observations from many threads at once.</summary>
    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private readonly Lock _sumLock = new();
        private double _sum;

        public void Observe(double value)
        {
            int bucket = Array.FindIndex(bounds, b => value <= b);
            Interlocked.Increment(ref _counts[bucket < 0 ? bounds.Length : bucket]);
            lock (_sumLock) _sum += value;
        }

        public void Write(StringBuilder s, string name, string labels)
        {
            string prefix = labels.Length == 0 ? "" : labels + ",";
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                s.Append($"{name}_bucket{{{prefix}le=\"{Number(bounds[i])}\"}} {cumulative}\n");
            }
            cumulative += Interlocked.Read(ref _counts[bounds.Length]);
            s.Append($"{name}_bucket{{{prefix}le=\"+Inf\"}} {cumulative}\n");
            double sum;
            lock (_sumLock) sum = _sum;
            string braces = labels.Length == 0 ? "" : $"{{{labels}}}";
            s.Append($"{name}_sum{braces} {Number(sum)}\n");
            s.Append($"{name}_count{braces} {cumulative}\n");
        }
    }
}
