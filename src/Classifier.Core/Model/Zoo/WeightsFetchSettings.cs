using System.Globalization;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Where pretrained weights are cached and how they are fetched. <see cref="FromEnvironment"/> reads the variables
/// PyTorch and classify document: <c>TORCH_HOME</c>, <c>XDG_CACHE_HOME</c> (torch.hub's cache rule),
/// <c>CLASSIFY_WEIGHTS_MIRROR</c>, <c>CLASSIFY_OFFLINE</c> and <c>CLASSIFY_DOWNLOAD_TIMEOUT</c>.
/// </summary>
public sealed record WeightsFetchSettings
{
    /// <summary>Variable naming a base URL that replaces torchvision's (the file name is appended).</summary>
    public const string MirrorVariable = "CLASSIFY_WEIGHTS_MIRROR";

    /// <summary>Variable that, set to 1, forbids any connection: only the cache is used.</summary>
    public const string OfflineVariable = "CLASSIFY_OFFLINE";

    /// <summary>Variable giving the seconds a download may go without receiving a byte before it is abandoned.</summary>
    public const string TimeoutVariable = "CLASSIFY_DOWNLOAD_TIMEOUT";

    /// <summary>Seconds without a byte after which a download is abandoned, unless <see cref="TimeoutVariable"/> says otherwise.</summary>
    public const double DefaultStallSeconds = 60;

    /// <summary>The folder holding the files: torch.hub's <c>checkpoints</c> folder, shared with PyTorch.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Base URL replacing torchvision's (<c>https://mirror.example/torch/</c>), or null for torchvision's own.</summary>
    public Uri? Mirror { get; init; }

    /// <summary>When true, a file missing from the cache is an error and no connection is opened.</summary>
    public bool Offline { get; init; }

    /// <summary>How long a download may wait for its headers or its next block before it is abandoned.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(DefaultStallSeconds);

    /// <summary>The settings the process's environment gives.</summary>
    public static WeightsFetchSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <summary>The settings <paramref name="variables"/> (name to value, null when unset) give.</summary>
    public static WeightsFetchSettings From(Func<string, string?> variables)
    {
        var settings = new WeightsFetchSettings
        {
            CacheDirectory = CacheDirectoryFrom(variables),
            Offline = variables(OfflineVariable) is { Length: > 0 } offline && offline.Trim() is not ("0" or "false" or "no"),
        };
        if (variables(MirrorVariable) is { Length: > 0 } mirror)
        {
            if (!Uri.TryCreate(mirror.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new ClassifierException($"{MirrorVariable} '{mirror}' is not an http(s) URL; give the base URL under which the weight files lie, e.g. https://mirror.example/torchvision/.");
            settings = settings with { Mirror = uri };
        }
        if (variables(TimeoutVariable) is { Length: > 0 } timeout)
        {
            if (!double.TryParse(timeout.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || seconds > 86_400)
                throw new ClassifierException($"{TimeoutVariable} '{timeout}' is not a number of seconds from 0 to 86400; it is how long a download may go without receiving data.");
            settings = settings with { StallTimeout = TimeSpan.FromSeconds(seconds) };
        }
        return settings;
    }

    /// <summary>
    /// torch.hub's checkpoint folder: <c>$TORCH_HOME/hub/checkpoints</c>, else <c>$XDG_CACHE_HOME/torch/hub/checkpoints</c>,
    /// else <c>~/.cache/torch/hub/checkpoints</c>, with a leading <c>~</c> expanded as Python's <c>expanduser</c> does.
    /// An empty variable counts as unset.
    /// </summary>
    public static string CacheDirectoryFrom(Func<string, string?> variables)
    {
        string torchHome = variables("TORCH_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(variables("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : "~/.cache", "torch");
        return Path.GetFullPath(Path.Combine(ExpandUser(torchHome, variables), "hub", "checkpoints"));
    }

    /// <summary>Where <paramref name="weights"/> are downloaded from: the mirror with the file name appended, or torchvision's URL.</summary>
    public Uri SourceOf(TorchVisionWeights weights) =>
        Mirror is null ? new Uri(weights.Url) : new Uri(Mirror.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(weights.FileName));

    private static string ExpandUser(string path, Func<string, string?> variables)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal) && !path.StartsWith("~" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return path;
        string home = variables("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path.Length <= 2 ? home : Path.Combine(home, path[2..]);
    }
}
