using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Classifier.Core.Evaluation;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Reporting;

/// <summary>
/// <c>report.html</c>: one self-contained page (images inlined as data URIs, no scripts, no network) describing a run
/// folder: the model, the options, the dataset, the curves, the final metrics and, for every evaluation found
/// (<c>eval-*</c> folders and any extra ones given), its metrics, per-class table, confusion matrices and top errors.
/// Built from the folder's files alone, so training writes it and every eval refreshes it.
/// </summary>
public static class HtmlReport
{
    /// <summary>File name inside the run folder.</summary>
    public const string FileName = "report.html";

    private const int MisclassifiedRowsShown = 15;

    /// <summary>Writes <c>report.html</c> into <paramref name="runFolder"/> and returns its path.</summary>
    public static string Write(string runFolder, IEnumerable<string>? extraEvalFolders = null)
    {
        var path = Path.Combine(runFolder, FileName);
        AtomicFile.WriteText(path, Build(runFolder, extraEvalFolders));
        return path;
    }

    /// <summary>The page for <paramref name="runFolder"/>; sections whose files are missing are left out.</summary>
    public static string Build(string runFolder, IEnumerable<string>? extraEvalFolders = null)
    {
        runFolder = Path.GetFullPath(runFolder);
        var html = new StringBuilder();
        var runName = Path.GetFileName(Path.TrimEndingDirectorySeparator(runFolder));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append($"<title>classify report: {E(runName)}</title>\n<style>{Css}</style>\n</head>\n<body>\n")
            .Append($"<h1>classify report: {E(runName)}</h1>\n")
            .Append($"<p class=\"meta\">{E(runFolder)}<br>generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by classify {E(ToolInfo.Version)}</p>\n");

        var history = File.Exists(Path.Combine(runFolder, RunFolder.HistoryName))
            ? HistoryCsv.Read(Path.Combine(runFolder, RunFolder.HistoryName)) : [];
        ModelInfo? info = TryModelInfo(runFolder);
        AppendSummary(html, history, info);
        AppendModelAndOptions(html, runFolder, info);
        AppendDataset(html, runFolder);
        AppendCurves(html, runFolder, history);

        var evalFolders = Directory.EnumerateDirectories(runFolder, EvaluationOutputs.FolderPrefix + "*")
            .Concat(extraEvalFolders?.Select(Path.GetFullPath) ?? [])
            .Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal)
            .Where(f => File.Exists(Path.Combine(f, EvaluationOutputs.MetricsName)))
            .Select(f => (Folder: f, Eval: TryRead(f)))
            // The run's own held-out figure first; evaluations on other data follow by name.
            .OrderBy(e => e.Eval.Saved?.Split == TrainingFiles.ValidationSplit ? 0 : 1)
            .ThenBy(e => e.Folder, StringComparer.Ordinal).ToList();
        foreach (var (folder, eval) in evalFolders) AppendEvaluation(html, runFolder, folder, eval);
        if (evalFolders.Count == 0)
            html.Append("<h2>Evaluation</h2>\n<p>No evaluation yet: run <code>classify eval --model RUN DATA_DIR</code>.</p>\n");

        var skipped = Path.Combine(runFolder, RunFolder.SkippedName);
        if (File.Exists(skipped))
            html.Append($"<p class=\"warn\">{File.ReadLines(skipped).Count() - 1} unreadable training or validation file(s) were skipped; see <a href=\"./{RunFolder.SkippedName}\">{RunFolder.SkippedName}</a>.</p>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, IReadOnlyList<HistoryRow> history, ModelInfo? info)
    {
        if (history.Count == 0) return;
        var best = info is not null && history.Any(r => r.Epoch == info.Epoch)
            ? history.First(r => r.Epoch == info.Epoch)
            : history.MinBy(r => r.ValLoss)!;
        var last = history[^1];
        html.Append("<h2>Final metrics</h2>\n<div class=\"cards\">\n")
            .Append(Card("best epoch", $"{best.Epoch} of {last.Epoch}"))
            .Append(Card("val accuracy (best)", F(best.ValAccuracy)))
            .Append(Card("val loss (best)", F(best.ValLoss)))
            .Append(Card("train accuracy (last)", F(last.Accuracy)))
            .Append(Card("train loss (last)", F(last.Loss)))
            .Append(Card("training time", $"{history.Sum(r => r.Seconds):F0} s"))
            .Append("</div>\n");
    }

    /// <summary>The starting weights' name, with the file they were read from and its SHA-256 when recorded.</summary>
    private static string StartingWeights(ModelInfo info) =>
        info.Weights is null ? "random"
        : info.WeightsFile is null || info.WeightsFile == info.Weights ? info.Weights + (info.WeightsSha256 is { } h ? $" (SHA-256 {h})" : "")
        : $"{info.Weights} ({info.WeightsFile}" + (info.WeightsSha256 is { } sha ? $", SHA-256 {sha})" : ")");

    private static void AppendModelAndOptions(StringBuilder html, string runFolder, ModelInfo? info)
    {
        var optionsPath = Path.Combine(runFolder, RunFolder.OptionsName);
        if (info is null && !File.Exists(optionsPath)) return;
        html.Append("<h2>Model and options</h2>\n<div class=\"columns\">\n");
        if (info is not null)
        {
            html.Append("<table class=\"kv\"><caption>best model</caption>\n")
                .Append(Kv("architecture", info.Architecture))
                .Append(Kv("starting weights", StartingWeights(info)))
                .Append(Kv("classes", info.ClassNames.Count.ToString(CultureInfo.InvariantCulture)))
                .Append(Kv("input", $"{info.Preprocessing.ImageSize}x{info.Preprocessing.ImageSize}, {Model.Zoo.ModelCatalog.Describe(info.Preprocessing)}"))
                .Append(Kv("epoch", info.Epoch.ToString(CultureInfo.InvariantCulture)))
                .Append(Kv("written", info.CreatedUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
                .Append(Kv("classify / TorchSharp", $"{info.ToolVersion} / {info.TorchSharpVersion}"))
                .Append("</table>\n");
        }
        if (File.Exists(optionsPath))
        {
            html.Append("<table class=\"kv\"><caption>options.json</caption>\n");
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(optionsPath));
                AppendOptions(html, doc.RootElement, "");
            }
            catch (JsonException e)
            {
                html.Append(Kv("unreadable", e.Message));
            }
            html.Append("</table>\n");
        }
        html.Append("</div>\n");
    }

    /// <summary>
    /// One row per option; a group (the augmentation options) becomes rows named <c>group: option</c>. An option that
    /// is not set shows what that means rather than JSON's <c>null</c>.
    /// </summary>
    private static void AppendOptions(StringBuilder html, JsonElement options, string group)
    {
        foreach (var p in options.EnumerateObject())
        {
            var name = group.Length == 0 ? p.Name : $"{group}: {p.Name}";
            if (p.Value.ValueKind == JsonValueKind.Object) AppendOptions(html, p.Value, name);
            else html.Append(Kv(name, OptionText(p.Name, p.Value)));
        }
    }

    private static string OptionText(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => UnsetOptions.TryGetValue(name, out var meaning) ? meaning : "none",
        JsonValueKind.True => "on",
        JsonValueKind.False => "off",
        _ => value.GetRawText(),
    };

    /// <summary>What an option left unset means, where "none" would not say it.</summary>
    private static readonly Dictionary<string, string> UnsetOptions = new(StringComparer.Ordinal)
    {
        ["validation-split"] = "default (a val/ folder if there is one, else 0.2)",
        ["patience"] = "off (no early stopping)",
        ["ema-decay"] = "off",
        ["brightness-range"] = "off",
    };

    private static void AppendDataset(StringBuilder html, string runFolder)
    {
        var data = DatasetSummary.TryRead(runFolder);
        if (data is null) return;
        html.Append("<h2>Dataset</h2>\n")
            .Append($"<p>Training: {E(data.TrainRoot)} ({data.TrainCounts.Sum():N0} images). Validation: {E(data.ValidationSource)} ({data.ValidationCounts.Sum():N0} images).</p>\n")
            .Append("<table class=\"num\"><tr><th>class</th><th>train</th><th>val</th></tr>\n");
        for (int c = 0; c < data.ClassNames.Count; c++)
            html.Append($"<tr><td>{E(data.ClassNames[c])}</td><td>{data.TrainCounts[c]:N0}</td><td>{data.ValidationCounts[c]:N0}</td></tr>\n");
        html.Append($"<tr class=\"total\"><td>total</td><td>{data.TrainCounts.Sum():N0}</td><td>{data.ValidationCounts.Sum():N0}</td></tr>\n</table>\n");
        if (data.EmptyClasses.Count > 0)
            html.Append($"<p class=\"warn\">Empty class folders left out: {E(string.Join(", ", data.EmptyClasses))}.</p>\n");
    }

    private static void AppendCurves(StringBuilder html, string runFolder, IReadOnlyList<HistoryRow> history)
    {
        var curves = Path.Combine(runFolder, RunFolder.CurvesName);
        if (!File.Exists(curves) && history.Count == 0) return;
        html.Append("<h2>Training curves</h2>\n");
        if (File.Exists(curves)) html.Append(Img(curves, "accuracy and loss per epoch"));
        if (history.Count is > 0 and <= 100)
        {
            html.Append("<details><summary>history.csv</summary>\n<table class=\"num\"><tr><th>epoch</th><th>accuracy</th><th>loss</th><th>val_accuracy</th><th>val_loss</th><th>learning rate</th><th>seconds</th></tr>\n");
            foreach (var r in history)
                html.Append($"<tr><td>{r.Epoch}</td><td>{F(r.Accuracy)}</td><td>{F(r.Loss)}</td><td>{F(r.ValAccuracy)}</td><td>{F(r.ValLoss)}</td><td>{r.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}</td><td>{r.Seconds:F1}</td></tr>\n");
            html.Append("</table>\n</details>\n");
        }
    }

    private static (SavedEvaluation? Saved, string? Error) TryRead(string folder)
    {
        try
        {
            return (SavedEvaluation.Read(Path.Combine(folder, EvaluationOutputs.MetricsName)), null);
        }
        catch (ClassifierException e)
        {
            return (null, e.Message);
        }
    }

    private static void AppendEvaluation(StringBuilder html, string runFolder, string folder, (SavedEvaluation? Saved, string? Error) read)
    {
        if (read.Saved is not { } eval)
        {
            html.Append($"<h2>Evaluation: {E(Path.GetFileName(folder))}</h2>\n<p class=\"warn\">{E(read.Error!)}</p>\n");
            return;
        }
        var relative = Path.GetRelativePath(runFolder, folder);
        var skipped = eval.Skipped > 0 ? $", {eval.Skipped} unreadable skipped" : "";
        html.Append(eval.Split is { } split
                ? $"<h2>Evaluation: the run's {E(split)} images ({E(relative)})</h2>\n<p>The {eval.Images:N0} {E(split)} images the run recorded, from {E(eval.Data)}{skipped}. Model {E(eval.Model)}.</p>\n"
                : $"<h2>Evaluation: {E(relative)}{(eval.TrainedOn > 0 ? " (includes training images)" : "")}</h2>\n<p>{E(eval.Data)}: {eval.Images:N0} images{skipped}. Model {E(eval.Model)}.</p>\n");
        if (eval.TrainedOn is > 0 and var trained)
            html.Append($"<p class=\"warn\">{trained:N0} of these {eval.Images:N0} images were trained on (same content): the figures below overstate how the model does on new images.</p>\n");
        html.Append("<div class=\"cards\">\n")
            .Append(Card("accuracy", F(eval.Accuracy)));
        if (eval.TopKAccuracy is { } topK) html.Append(Card($"top-{eval.TopK} accuracy", F(topK)));
        html.Append(Card("loss", F(eval.Loss)))
            .Append(Card("macro F1", F(eval.Macro.F1)))
            .Append(Card("weighted F1", F(eval.Weighted.F1)))
            .Append("</div>\n");

        html.Append("<table class=\"num\"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
        foreach (var m in eval.PerClass) html.Append(MetricsRow(m, ""));
        html.Append(MetricsRow(eval.Macro, "total")).Append(MetricsRow(eval.Weighted, "total")).Append("</table>\n");

        // One under the other at full width: side by side, class labels shrank below reading size at 1200 px.
        foreach (var (name, alt) in new[]
                 {
                     (EvaluationOutputs.ConfusionMatrixName, "confusion matrix, counts"),
                     (EvaluationOutputs.ConfusionMatrixNormalizedName, "confusion matrix, row-normalised"),
                 })
        {
            var png = Path.Combine(folder, name);
            if (File.Exists(png)) html.Append("<div class=\"figure\">").Append(Img(png, alt)).Append("</div>\n");
        }

        var sheet = Path.Combine(folder, EvaluationOutputs.TopErrorsName);
        if (File.Exists(sheet)) html.Append("<h3>Most confident errors</h3>\n").Append(Img(sheet, "most confident errors"));
        AppendMisclassified(html, runFolder, folder);
    }

    private static void AppendMisclassified(StringBuilder html, string runFolder, string folder)
    {
        var csv = Path.Combine(folder, EvaluationOutputs.MisclassifiedName);
        if (!File.Exists(csv)) return;
        var rows = File.ReadLines(csv).Skip(1).Take(MisclassifiedRowsShown + 1).ToList();
        var shown = Path.GetRelativePath(runFolder, csv).Replace('\\', '/');
        var link = RelativeLink(runFolder, csv);
        html.Append($"<details><summary>{E(shown)} (first {Math.Min(rows.Count, MisclassifiedRowsShown)} rows)</summary>\n")
            .Append("<table class=\"num\"><tr><th>path</th><th>true</th><th>predicted</th><th>confidence</th></tr>\n");
        foreach (var row in rows.Take(MisclassifiedRowsShown))
        {
            var cells = Csv.Split(row);
            if (cells.Count < 4) continue;
            html.Append($"<tr><td class=\"path\">{E(cells[0])}</td><td>{E(cells[1])}</td><td>{E(cells[2])}</td><td>{E(cells[3])}</td></tr>\n");
        }
        html.Append($"</table>\n<p>All rows: <a href=\"{E(link)}\">{E(shown)}</a></p>\n</details>\n");
    }

    /// <summary>
    /// An href from the report to <paramref name="path"/>: relative to <paramref name="from"/>, each segment
    /// percent-encoded and the whole starting with <c>./</c> or <c>../</c>, so a folder named like
    /// <c>javascript:alert(1)</c> can never become a link with a scheme.
    /// </summary>
    internal static string RelativeLink(string from, string path)
    {
        var relative = Path.GetRelativePath(from, path).Replace('\\', '/');
        var encoded = string.Join('/', relative.Split('/').Select(s => s is "." or ".." ? s : Uri.EscapeDataString(s)));
        return encoded.StartsWith("../", StringComparison.Ordinal) ? encoded : "./" + encoded;
    }

    private static ModelInfo? TryModelInfo(string runFolder)
    {
        foreach (var name in new[] { RunFolder.BestModelName, RunFolder.LastModelName })
        {
            var path = Path.Combine(runFolder, name);
            if (!File.Exists(path)) continue;
            try
            {
                return ModelFile.ReadInfo(path);
            }
            catch (ClassifierException)
            {
                // A damaged checkpoint leaves the model table out; eval and predict report the damage themselves.
            }
        }
        return null;
    }

    private static string MetricsRow(ClassMetrics m, string cssClass) =>
        $"<tr class=\"{cssClass}\"><td>{E(m.Name)}</td><td>{F(m.Precision)}</td><td>{Bar(m.Recall)}</td><td>{F(m.F1)}</td><td>{m.Support:N0}</td></tr>\n";

    /// <summary>The value with a small inline bar, so weak classes stand out at a glance.</summary>
    private static string Bar(double value) =>
        $"<span class=\"bar\"><span style=\"width:{Math.Clamp(value, 0, 1) * 100:F0}%\"></span></span>{F(value)}";

    private static string Img(string png, string alt) =>
        $"<img alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(png))}\">\n";

    private static string Card(string label, string value) =>
        $"<div class=\"card\"><div class=\"value\">{E(value)}</div><div class=\"label\">{E(label)}</div></div>\n";

    private static string Kv(string key, string value) => $"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>\n";

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font-family:"DejaVu Sans",system-ui,sans-serif;color:#222;max-width:1150px;margin:24px auto;padding:0 16px;line-height:1.4}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
        h3{font-size:16px}.meta{color:#666;font-size:13px;margin-top:0}
        .cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px;background:#fafafa}
        .card .value{font-size:20px;font-weight:bold}.card .label{color:#666;font-size:12px}
        .columns{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}.columns>div{flex:1 1 480px}
        table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
        table.num td+td{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:bold;padding:4px 0}
        table.kv th{color:#555;font-weight:normal}tr.total td{font-weight:bold;border-top:2px solid #ccc}
        td.path{text-align:left!important;font-family:monospace;font-size:12px;word-break:break-all}
        .bar{display:inline-block;width:60px;height:8px;background:#eee;margin-right:6px;vertical-align:middle}
        .bar span{display:block;height:100%;background:#4a7ebb}
        img{max-width:100%;height:auto;border:1px solid #eee}.figure{margin:12px 0}.warn{color:#a33}details{margin:8px 0}
        """;
}
