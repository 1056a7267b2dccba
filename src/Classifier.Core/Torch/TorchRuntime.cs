using TorchSharp;

namespace Classifier.Core.Torch;

/// <summary>
/// The one place that loads libtorch and sets process-wide torch settings. Loading is lazy so that
/// <c>classify --help</c> and option errors never pay for it.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>
    /// Loads libtorch (once) and sets the intra-op thread count when <paramref name="threads"/> is positive.
    /// Throws <see cref="ClassifierException"/> with the loader's own reason when the native library cannot load.
    /// </summary>
    public static void Initialize(int threads = 0)
    {
        lock (Gate)
        {
            if (!_loaded)
            {
                OpenMpWaiting.ChooseBeforeLibTorchLoads(threads);
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                    _ = torch.get_num_threads();
                }
                catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException
                                              or BadImageFormatException or EntryPointNotFoundException)
                {
                    throw new ClassifierException($"libtorch could not be loaded: {LoaderReason(e)}", e);
                }
                _loaded = true;
            }
            if (threads > 0 && torch.get_num_threads() != threads)
                torch.set_num_threads(threads);
        }
    }

    /// <summary>The TorchSharp and libtorch versions, for <c>--version</c> and run records.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>The libtorch release this TorchSharp was built against (e.g. 2.10.0); needs no native load.</summary>
    public static string LibTorchVersion
    {
        get
        {
            var parts = torch.__version__.Split('.');
            return string.Join('.', parts.Take(Math.Min(3, parts.Length)));
        }
    }

    /// <summary>
    /// TorchSharp wraps the loader failure in several layers whose first lines are misleading ("doesn't contain a
    /// reference to libtorch-cpu"); the useful part is the dynamic loader's text, e.g. "GLIBCXX_3.4.32 not found".
    /// </summary>
    internal static string LoaderReason(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            messages.AddRange(x.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var loaderLine = messages.FirstOrDefault(m => m.Contains("GLIBC", StringComparison.Ordinal))
                         ?? messages.FirstOrDefault(m => m.Contains("cannot open shared object", StringComparison.Ordinal))
                         ?? messages.FirstOrDefault(m => m.Contains(".so", StringComparison.Ordinal))
                         ?? messages.LastOrDefault()
                         ?? e.GetType().Name;
        return loaderLine;
    }
}
