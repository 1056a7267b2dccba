using System.Globalization;
using System.Text;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;

namespace Classifier.Core.Evaluation;

/// <summary>
/// The files <c>classify eval</c> leaves in its output folder: <c>metrics.json</c> (everything measured),
/// <c>misclassified.csv</c> (every error, most confident first), the confusion matrix as two heatmaps (counts and
/// row-normalised) and a contact sheet of the most confident errors. Existing files of these names are replaced.
/// </summary>
public static class EvaluationOutputs
{
    /// <summary>All figures as JSON (see <see cref="EvaluationJson"/>).</summary>
    public const string MetricsName = "metrics.json";

    /// <summary><c>path,true_label,predicted_label,confidence</c>, one row per error, most confident first.</summary>
    public const string MisclassifiedName = "misclassified.csv";

    /// <summary>Confusion matrix heatmap with counts.</summary>
    public const string ConfusionMatrixName = "confusion_matrix.png";

    /// <summary>Confusion matrix heatmap, each row divided by its total.</summary>
    public const string ConfusionMatrixNormalizedName = "confusion_matrix_normalized.png";

    /// <summary>Contact sheet of the most confident errors.</summary>
    public const string TopErrorsName = "top_errors.png";

    /// <summary>Prefix of eval folders inside a run folder (<c>eval-&lt;data folder name&gt;</c>).</summary>
    public const string FolderPrefix = "eval-";

    /// <summary>Errors shown on the contact sheet unless told otherwise.</summary>
    public const int DefaultTopErrors = 24;

    /// <summary>
    /// Where eval writes when no <c>--output</c> is given: <c>eval-&lt;data folder name&gt;</c> inside the run folder,
    /// or, for a model file, inside the folder that holds it.
    /// </summary>
    public static string DefaultFolder(string modelPath, string dataDir) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, FolderPrefix + FolderName(dataDir));

    /// <summary>
    /// The eval folder name of a split of a run: <c>eval-validation-split</c> (or <c>eval-train-split</c>) when the
    /// split was taken off one data folder, else <c>eval-&lt;folder name&gt;</c> of the split's own folder.
    /// </summary>
    public static string SplitFolderName(string split, string root, bool isSplitOfOneFolder) =>
        FolderPrefix + (isSplitOfOneFolder ? $"{split}-split" : FolderName(root));

    /// <summary>How a figure names the evaluated images: the split of the run, or the data folder's name.</summary>
    public static string DataLabel(string? split, string root) =>
        split is null ? FolderName(root) : $"{split} split of the run";

    /// <summary>The last component of <paramref name="dir"/>, ignoring a trailing separator.</summary>
    public static string FolderName(string dir)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
        return name.Length == 0 ? "data" : name;
    }

    /// <summary>Writes every file for <paramref name="report"/> into <paramref name="folder"/> (created if needed).</summary>
    /// <param name="report">The evaluation.</param>
    /// <param name="folder">Output folder.</param>
    /// <param name="topErrors">Errors on the contact sheet (0 for none; the sheet is then not written).</param>
    public static void Write(EvaluationReport report, string folder, int topErrors = DefaultTopErrors)
    {
        if (topErrors < 0) throw new ClassifierException($"--top-errors {topErrors}: give 0 or more.");
        if (File.Exists(folder) && new FileInfo(folder).LinkTarget is null)
            throw new ClassifierException($"--output '{folder}' is a file; give a folder for the evaluation's files.");
        AtomicFile.PrepareFolder(folder, folder);
        var result = report.Result;
        var names = report.Info.ClassNames;
        AtomicFile.WriteText(Path.Combine(folder, MetricsName), EvaluationJson.ToText(report) + "\n");
        var errors = Errors(report);
        AtomicFile.WriteText(Path.Combine(folder, MisclassifiedName), MisclassifiedCsv(report, errors));

        var subtitle = $"{DataLabel(report.Split, report.Data.Root)}: {result.Images:N0} images, accuracy " +
                       result.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture);
        var counts = result.Matrix.ToRows();
        ConfusionMatrixPlot.Save(counts, names, normalize: false, Path.Combine(folder, ConfusionMatrixName), subtitle);
        ConfusionMatrixPlot.Save(counts, names, normalize: true, Path.Combine(folder, ConfusionMatrixNormalizedName), subtitle);

        var sheet = Path.Combine(folder, TopErrorsName);
        if (topErrors > 0)
        {
            var tiles = errors.Take(topErrors)
                .Select(p => new ContactSheetTile(report.Data.Images[p.Index].Path, names[p.Actual], names[p.Predicted], p.Confidence))
                .ToList();
            var title = $"Most confident errors: {tiles.Count} of {errors.Count} " +
                        $"({DataLabel(report.Split, report.Data.Root)}, {result.Images:N0} images)";
            ErrorsContactSheet.Save(tiles, report.Info.Preprocessing, title, sheet);
        }
        else if (File.Exists(sheet))
        {
            try
            {
                File.Delete(sheet); // an old sheet would no longer match this evaluation
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ClassifierException($"Could not remove the old '{sheet}': {e.Message}", e);
            }
        }
    }

    /// <summary>The wrong predictions, most confident first (ties in dataset order).</summary>
    public static IReadOnlyList<ImagePrediction> Errors(EvaluationReport report) =>
        report.Result.Predictions.Where(p => p.Actual != p.Predicted)
            .OrderByDescending(p => p.Confidence).ThenBy(p => p.Index).ToList();

    private static string MisclassifiedCsv(EvaluationReport report, IReadOnlyList<ImagePrediction> errors)
    {
        var names = report.Info.ClassNames;
        var text = new StringBuilder("path,true_label,predicted_label,confidence\n");
        foreach (var p in errors)
            text.Append(Csv.Escape(report.Data.Images[p.Index].Path)).Append(',')
                .Append(Csv.Escape(names[p.Actual])).Append(',')
                .Append(Csv.Escape(names[p.Predicted])).Append(',')
                .Append(p.Confidence.ToString("0.000000", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }
}
