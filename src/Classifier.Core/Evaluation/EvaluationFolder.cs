using System.Text.Json;
using Classifier.Core.Runs;

namespace Classifier.Core.Evaluation;

/// <summary>
/// Claims an eval folder and writes an evaluation's files into it as one piece. The claim is an exclusive lock on
/// <c>.eval.lock</c> in the folder (as <see cref="RunLock"/> claims a run folder), held while the files are written,
/// each of them atomically; so two evals never interleave their files in one folder. A folder named by the user
/// (<c>--output</c>) is taken as it is: held by another eval, it is refused. A default folder
/// (<c>eval-&lt;data folder name&gt;</c>) belongs to one data folder: an eval of the same data folder replaces
/// the previous one, which is what re-running <c>eval</c> on updated data or a newer model should do; an eval of
/// another data folder with the same name, or one that finds the folder held, takes the next free name
/// (<c>eval-val-2</c>, <c>eval-val-3</c>, ...), so a run's own <c>eval-val</c> is never overwritten by another folder's.
/// </summary>
public static class EvaluationFolder
{
    /// <summary>The claim's lock file inside an eval folder (hidden; not a run folder's <c>.lock</c>).</summary>
    public const string LockName = ".eval.lock";

    /// <summary>Names tried after the default one before giving up (<c>-2</c> up to this).</summary>
    public const int MaxSuffix = 1000;

    /// <summary>Writes <paramref name="report"/>'s files into the folder the user named, claiming it for the write.</summary>
    /// <returns>The folder written (full path).</returns>
    public static string WriteInto(EvaluationReport report, string folder, int topErrors = EvaluationOutputs.DefaultTopErrors)
    {
        folder = Path.GetFullPath(folder);
        Prepare(folder);
        using var claim = RunLock.TryTake(folder, LockName) ?? throw new ClassifierException(
            $"Eval folder '{folder}' is in use by another classify eval; wait for it to end, or give another folder with -o.");
        EvaluationOutputs.Write(report, folder, topErrors);
        return folder;
    }

    /// <summary>
    /// Writes <paramref name="report"/>'s files into <paramref name="defaultFolder"/>, or, when that folder holds the
    /// evaluation of other data or is being written by another eval, into the first of <c>-2</c>, <c>-3</c>, ... that
    /// is free or holds this data's evaluation. <paramref name="place"/> maps a candidate eval folder to the folder
    /// actually written (a shard's folder under it, say); by default the candidate itself.
    /// </summary>
    /// <returns>The folder written (full path); compare it with the default to tell the user.</returns>
    public static string WriteDefault(EvaluationReport report, string defaultFolder, int topErrors = EvaluationOutputs.DefaultTopErrors,
        Func<string, string>? place = null)
    {
        defaultFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(defaultFolder));
        for (int suffix = 1; suffix <= MaxSuffix; suffix++)
        {
            var candidate = suffix == 1 ? defaultFolder : $"{defaultFolder}-{suffix}";
            var folder = Path.GetFullPath(place?.Invoke(candidate) ?? candidate);
            if (File.Exists(folder) || new DirectoryInfo(folder).LinkTarget is not null)
            {
                Prepare(folder); // a file or link standing there is refused with its own message
            }
            if (Directory.Exists(folder) && !HoldsEvaluationOf(folder, report)) continue;
            Prepare(folder);
            var claim = RunLock.TryTake(folder, LockName);
            if (claim is null) continue; // another eval is writing there now
            using (claim)
            {
                // Looked at again under the claim: another eval may have written there between the look and the claim.
                if (!HoldsEvaluationOf(folder, report)) continue;
                EvaluationOutputs.Write(report, folder, topErrors);
                return folder;
            }
        }
        throw new ClassifierException(
            $"'{defaultFolder}' and the {MaxSuffix - 1} names after it ('-2' ...) all hold other evaluations; give a folder with -o.");
    }

    /// <summary>
    /// Whether <paramref name="folder"/> is free for <paramref name="report"/>: empty (but for the claim), or holding a
    /// <c>metrics.json</c> of the same data folder. A folder with other files and no readable
    /// <c>metrics.json</c> is someone else's and left alone.
    /// </summary>
    private static bool HoldsEvaluationOf(string folder, EvaluationReport report)
    {
        if (!Directory.Exists(folder)) return true;
        var metrics = Path.Combine(folder, EvaluationOutputs.MetricsName);
        if (!File.Exists(metrics))
            return !Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) != LockName);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(metrics));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String) return false;
            // The data folder alone: a run's validation folder evaluated with --split validation or named as DATA_DIR is
            // the same images, and a split taken off one folder has its own folder name (eval-validation-split).
            return SameFolder(data.GetString()!, report.Data.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return false;
        }
    }

    private static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            StringComparison.Ordinal);

    private static void Prepare(string folder)
    {
        if (File.Exists(folder) && new FileInfo(folder).LinkTarget is null)
            throw new ClassifierException($"--output '{folder}' is a file; give a folder for the evaluation's files.");
        AtomicFile.PrepareFolder(folder, folder);
    }
}
