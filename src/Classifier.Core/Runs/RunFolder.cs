namespace Classifier.Core.Runs;

/// <summary>
/// A training run's folder and the names of the files in it. A new run never reuses a folder that has files in it
/// (except the leftovers of a run that failed before its first checkpoint), and a folder being trained is claimed
/// (<see cref="RunLock"/>) for the run's life, so two processes never write into one folder.
/// </summary>
public sealed class RunFolder : IDisposable
{
    /// <summary>Best checkpoint by the monitored metric; what eval and predict use by default.</summary>
    public const string BestModelName = "best.cls";

    /// <summary>Checkpoint after the latest completed epoch.</summary>
    public const string LastModelName = "last.cls";

    /// <summary>Per-epoch history.</summary>
    public const string HistoryName = "history.csv";

    /// <summary>Accuracy and loss curves.</summary>
    public const string CurvesName = "curves.png";

    /// <summary>Effective training options.</summary>
    public const string OptionsName = "options.json";

    /// <summary>Files that could not be read, with reasons.</summary>
    public const string SkippedName = "skipped.csv";

    /// <summary>Every image trained and validated on, with its content hash (see <see cref="TrainingFiles"/>).</summary>
    public const string FilesName = "files.csv";

    /// <summary>
    /// Files a run writes before its first checkpoint. A folder holding only these (and no model or history) is what a
    /// run that failed early leaves behind; a new run may take it over instead of leaving a dead end.
    /// </summary>
    private static readonly HashSet<string> EarlyFiles = new(StringComparer.Ordinal)
    {
        OptionsName, SkippedName, "dataset.json", FilesName, RunLock.FileName,
    };

    private RunLock? _lock;

    private RunFolder(string path, RunLock? runLock = null)
    {
        Path = path;
        _lock = runLock;
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Path of <c>best.cls</c>.</summary>
    public string BestModel => System.IO.Path.Combine(Path, BestModelName);

    /// <summary>Path of <c>last.cls</c>.</summary>
    public string LastModel => System.IO.Path.Combine(Path, LastModelName);

    /// <summary>Path of <c>history.csv</c>.</summary>
    public string History => System.IO.Path.Combine(Path, HistoryName);

    /// <summary>Path of <c>curves.png</c>.</summary>
    public string Curves => System.IO.Path.Combine(Path, CurvesName);

    /// <summary>Path of <c>options.json</c>.</summary>
    public string Options => System.IO.Path.Combine(Path, OptionsName);

    /// <summary>Path of <c>files.csv</c>.</summary>
    public string Files => System.IO.Path.Combine(Path, FilesName);

    /// <summary>Path of <c>skipped.csv</c>.</summary>
    public string Skipped => System.IO.Path.Combine(Path, SkippedName);

    /// <summary>
    /// Creates and claims the folder for a new run: <paramref name="output"/> when given (it must not exist, be empty,
    /// or hold only what a run that failed before its first checkpoint leaves), otherwise the next free
    /// <c>train-NNN</c> under <paramref name="runsRoot"/>. The claim lasts until the returned folder is disposed.
    /// </summary>
    public static RunFolder CreateNew(string? output, string runsRoot = "runs")
    {
        if (output is not null)
        {
            var full = System.IO.Path.GetFullPath(output);
            if (File.Exists(full))
                throw new ClassifierException($"--output '{output}' is a file; give a folder for the run.");
            CreateFolder(full, output);
            var claim = RunLock.Take(full, output);
            try
            {
                if (Leftovers(full) is { } files)
                    throw new ClassifierException(files.Count > 0
                        ? $"--output '{output}' already holds files ({Listed(files)}); choose a new folder (runs are never overwritten) or use --resume to continue it."
                        : $"--output '{output}' cannot be listed; choose another folder.");
                RemoveEarlyFiles(full);
            }
            catch
            {
                claim.Abandon();
                throw;
            }
            return new RunFolder(full, claim);
        }
        var root = System.IO.Path.GetFullPath(runsRoot);
        CreateFolder(root, runsRoot);
        for (int n = 1; ; n++)
        {
            var candidate = System.IO.Path.Combine(root, $"train-{n:D3}");
            if (Directory.Exists(candidate) || File.Exists(candidate)) continue;
            CreateFolder(candidate, candidate);
            // Another process may have picked the same number at the same moment: whoever holds the lock owns it.
            var claim = RunLock.TryTake(candidate);
            if (claim is null) continue;
            if (Leftovers(candidate) is null) return new RunFolder(candidate, claim);
            claim.Dispose();
        }
    }

    /// <summary>
    /// Claims an existing run folder to continue it (<c>--resume</c>); throws when another process holds it.
    /// The claim lasts until the returned folder is disposed.
    /// </summary>
    public static RunFolder Claim(string path)
    {
        var run = Open(path);
        run._lock = RunLock.Take(run.Path, path);
        return run;
    }

    /// <summary>Releases the folder's claim, if this instance holds one.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>
    /// Null when a new run may use <paramref name="folder"/>: empty, or holding only the files a run that failed before
    /// its first checkpoint wrote (no model, no history). Otherwise the entries in the way.
    /// </summary>
    private static List<string>? Leftovers(string folder)
    {
        List<string> names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(folder).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        if (names.All(n => n == RunLock.FileName)) return null;
        return names.All(EarlyFiles.Contains) ? null : names.Where(n => n != RunLock.FileName).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes what a run that failed before its first checkpoint left, so the new run's files are its own.</summary>
    private static void RemoveEarlyFiles(string folder)
    {
        foreach (var name in EarlyFiles.Where(n => n != RunLock.FileName))
        {
            var path = System.IO.Path.Combine(folder, name);
            try
            {
                if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ClassifierException($"Cannot reuse the run folder '{folder}': {e.Message}", e);
            }
        }
    }

    private static string Listed(List<string> names) =>
        names.Count <= 3 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))} and {names.Count - 3} more";

    /// <summary>Creates <paramref name="full"/> (and its parents), turning a read-only or full disk into a one-line error.</summary>
    private static void CreateFolder(string full, string shown)
    {
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Cannot create the run folder '{shown}': {e.Message} Choose a folder you can write to.", e);
        }
    }

    /// <summary>Opens an existing run folder (for resume, eval, plot).</summary>
    public static RunFolder Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new ClassifierException($"Run folder '{path}' does not exist.");
        return new RunFolder(full);
    }

    /// <summary>
    /// The model file meant by <paramref name="runOrModel"/>: a model file as given, or a run folder's
    /// <c>best.cls</c> (falling back to <c>last.cls</c>).
    /// </summary>
    public static string ResolveModel(string runOrModel)
    {
        if (Directory.Exists(runOrModel))
        {
            var run = Open(runOrModel);
            if (File.Exists(run.BestModel)) return run.BestModel;
            if (File.Exists(run.LastModel)) return run.LastModel;
            throw new ClassifierException($"Run folder '{runOrModel}' has no model ({BestModelName} or {LastModelName}); has its training finished an epoch?");
        }
        if (File.Exists(runOrModel)) return System.IO.Path.GetFullPath(runOrModel);
        throw new ClassifierException($"--model '{runOrModel}' is neither a run folder nor a model file.");
    }

    /// <summary>The history file meant by <paramref name="runOrHistory"/>: a CSV as given or a run folder's history.csv.</summary>
    public static string ResolveHistory(string runOrHistory)
    {
        if (Directory.Exists(runOrHistory))
        {
            var path = Open(runOrHistory).History;
            if (!File.Exists(path))
                throw new ClassifierException($"Run folder '{runOrHistory}' has no {HistoryName}; has its training finished an epoch?");
            return path;
        }
        if (File.Exists(runOrHistory)) return System.IO.Path.GetFullPath(runOrHistory);
        throw new ClassifierException($"'{runOrHistory}' is neither a run folder nor a history CSV file.");
    }
}
