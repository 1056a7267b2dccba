namespace Classifier.Core.Runs;

/// <summary>
/// A training run's folder and the names of the files in it. A new run never reuses a folder that has files in it.
/// </summary>
public sealed class RunFolder
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

    private RunFolder(string path) => Path = path;

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
    /// Creates the folder for a new run: <paramref name="output"/> when given (it must not exist or be empty),
    /// otherwise the next free <c>train-NNN</c> under <paramref name="runsRoot"/>.
    /// </summary>
    public static RunFolder CreateNew(string? output, string runsRoot = "runs")
    {
        if (output is not null)
        {
            var full = System.IO.Path.GetFullPath(output);
            if (File.Exists(full))
                throw new ClassifierException($"--output '{output}' is a file; give a folder for the run.");
            if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
                throw new ClassifierException($"--output '{output}' already holds files; choose a new folder (runs are never overwritten) or use --resume to continue it.");
            Directory.CreateDirectory(full);
            return new RunFolder(full);
        }
        var root = System.IO.Path.GetFullPath(runsRoot);
        Directory.CreateDirectory(root);
        for (int n = 1; ; n++)
        {
            var candidate = System.IO.Path.Combine(root, $"train-{n:D3}");
            if (Directory.Exists(candidate) || File.Exists(candidate)) continue;
            Directory.CreateDirectory(candidate);
            return new RunFolder(candidate);
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
