namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's weight files in the folder PyTorch caches them in (<see cref="WeightsFetchSettings.CacheDirectory"/>),
/// so files PyTorch downloaded are used as they are and files classify downloads serve PyTorch too. A missing file is
/// downloaded (<see cref="WeightsDownload"/>) unless the settings say offline.
/// </summary>
public sealed class WeightsCache(WeightsFetchSettings settings)
{
    /// <summary>The settings in force.</summary>
    public WeightsFetchSettings Settings => settings;

    /// <summary>Where <paramref name="weights"/> are, or would be, in the cache.</summary>
    public string PathOf(TorchVisionWeights weights) => Path.Combine(settings.CacheDirectory, weights.FileName);

    /// <summary>Whether the file of <paramref name="weights"/> is in the cache (its content is checked when it is used).</summary>
    public bool Contains(TorchVisionWeights weights) => File.Exists(PathOf(weights));

    /// <summary>
    /// The file of <paramref name="weights"/>: from the cache when it is there, otherwise downloaded into it. Either way
    /// its SHA-256 must start with the prefix in its name (torch.hub's <c>check_hash</c>); a cached file that does not is
    /// deleted. Every failure is one <see cref="ClassifierException"/> naming the weights, the URL, the cache path and
    /// the command that places the file by hand. <paramref name="progress"/> hears about a download.
    /// </summary>
    public FetchedWeights Fetch(TorchVisionWeights weights, Action<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        string path = PathOf(weights);
        var source = settings.SourceOf(weights);
        if (File.Exists(path)) return new FetchedWeights(path, VerifyCached(weights, path, source), Downloaded: false);
        if (settings.Offline)
            throw new ClassifierException(
                $"{weights.Describe()} are not in the cache ({path}) and {WeightsFetchSettings.OfflineVariable}=1 forbids downloading it; " +
                $"place it there by hand (URL: {source}): {ByHand(path, source)}, or unset {WeightsFetchSettings.OfflineVariable}.");
        string sha256 = WeightsDownload.Run(source, path, weights.HashPrefix, settings.StallTimeout, progress, cancellation,
            reason => Failure(weights, source, path, reason, settings.Mirror is not null));
        return new FetchedWeights(path, sha256, Downloaded: true);
    }

    /// <summary>The shell command that puts <paramref name="source"/> at <paramref name="path"/>.</summary>
    public static string ByHand(string path, Uri source) =>
        $"mkdir -p {Quote(Path.GetDirectoryName(path)!)} && curl -L -o {Quote(path)} {Quote(source.AbsoluteUri)}";

    private static ClassifierException Failure(TorchVisionWeights weights, Uri source, string path, string reason, bool mirrored) =>
        new($"{weights.Describe()} could not be downloaded: {reason}. URL tried: {source}" +
            (mirrored ? $" ({WeightsFetchSettings.MirrorVariable}'s mirror; torchvision's: {weights.Url})" : "") + $"; cache file: {path}. " +
            $"Place the file there by hand: {ByHand(path, source)}" +
            (mirrored ? "." : $" (or set {WeightsFetchSettings.MirrorVariable} to a base URL that serves {weights.FileName})."));

    private static string VerifyCached(TorchVisionWeights weights, string path, Uri source)
    {
        string sha256 = Data.InputFile.Sha256(path, $"{weights.Describe()}: the cached file '{path}'");
        if (sha256.StartsWith(weights.HashPrefix, StringComparison.Ordinal)) return sha256;
        TryDelete(path);
        throw new ClassifierException(
            $"{weights.Describe()}: the cached file '{path}' is damaged (its SHA-256 is {sha256}, but its name says it starts with {weights.HashPrefix}) and was deleted; " +
            $"run again to download it from {source}, or place a good copy by hand: {ByHand(path, source)}.");
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"The damaged weights file '{path}' (its SHA-256 does not match its name) could not be deleted: {e.Message}; delete it by hand.", e);
        }
    }

    private static string Quote(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:+=@%,".Contains(c)) ? text : "'" + text.Replace("'", "'\\''") + "'";
}
