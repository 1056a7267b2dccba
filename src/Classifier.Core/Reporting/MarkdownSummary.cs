using System.Globalization;
using System.Text;
using Classifier.Core.Evaluation;
using Classifier.Core.Runs;

namespace Classifier.Core.Reporting;

/// <summary>
/// Short Markdown summaries for CI job pages (GitHub's <c>GITHUB_STEP_SUMMARY</c>): the headline figures and the
/// per-class table, nothing that needs images.
/// </summary>
public static class MarkdownSummary
{
    /// <summary>The summary of a finished training run, with the evaluation of its validation set when there is one.</summary>
    public static string ForTraining(string runFolder, IReadOnlyList<HistoryRow> history, int bestEpoch, SavedEvaluation? validation)
    {
        var text = new StringBuilder();
        text.Append($"### classify train: {Escape(Path.GetFileName(Path.TrimEndingDirectorySeparator(runFolder)))}\n\n");
        if (history.Count > 0)
        {
            var best = history.FirstOrDefault(r => r.Epoch == bestEpoch) ?? history[^1];
            text.Append("| epochs | best epoch | val accuracy | val loss | train accuracy | train loss | seconds |\n")
                .Append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
                .Append($"| {history[^1].Epoch} | {best.Epoch} | {F(best.ValAccuracy)} | {F(best.ValLoss)} | {F(history[^1].Accuracy)} | {F(history[^1].Loss)} | {history.Sum(r => r.Seconds):F0} |\n\n");
        }
        if (validation is not null) text.Append(PerClassTable(validation));
        text.Append($"Run folder: {Escape(runFolder)} (report.html, curves.png, confusion matrices)\n\n");
        return text.ToString();
    }

    /// <summary>The summary of an evaluation, with the gate's verdict when a gate was set.</summary>
    public static string ForEvaluation(SavedEvaluation eval, QualityGate? gate, IReadOnlyList<string> gateFailures)
    {
        var text = new StringBuilder();
        text.Append($"### classify eval: {Escape(eval.Data)}\n\n");
        text.Append("| images | accuracy |").Append(eval.TopKAccuracy is null ? "" : $" top-{eval.TopK} accuracy |")
            .Append(" loss | macro F1 | weighted F1 |\n")
            .Append("| ---: | ---: |").Append(eval.TopKAccuracy is null ? "" : " ---: |").Append(" ---: | ---: | ---: |\n")
            .Append($"| {eval.Images:N0} | {F(eval.Accuracy)} |")
            .Append(eval.TopKAccuracy is { } k ? $" {F(k)} |" : "")
            .Append($" {F(eval.Loss)} | {F(eval.Macro.F1)} | {F(eval.Weighted.F1)} |\n\n");
        if (gate is { IsActive: true })
            text.Append(gateFailures.Count == 0
                ? "**Gate passed**" + Thresholds(gate) + "\n\n"
                : "**Gate failed**: " + string.Join("; ", gateFailures.Select(Escape)) + "\n\n");
        text.Append(PerClassTable(eval));
        return text.ToString();
    }

    private static string Thresholds(QualityGate gate)
    {
        var parts = new List<string>();
        if (gate.MinAccuracy is { } a) parts.Add($"accuracy >= {F(a)}");
        if (gate.MinMacroF1 is { } f) parts.Add($"macro F1 >= {F(f)}");
        return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
    }

    private static string PerClassTable(SavedEvaluation eval)
    {
        var text = new StringBuilder("| class | precision | recall | F1 | support |\n| --- | ---: | ---: | ---: | ---: |\n");
        foreach (var m in eval.PerClass.Append(eval.Macro).Append(eval.Weighted))
            text.Append($"| {Escape(m.Name)} | {F(m.Precision)} | {F(m.Recall)} | {F(m.F1)} | {m.Support:N0} |\n");
        return text.Append('\n').ToString();
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// Keeps a name from breaking the table (pipes, line breaks) or turning into markup: GitHub renders HTML in a step
    /// summary, so &lt;, &gt; and &amp; are entities, Markdown's own characters are backslash-escaped and control
    /// characters are shown as escapes.
    /// </summary>
    internal static string Escape(string text)
    {
        var markdown = new StringBuilder(text.Length);
        foreach (char c in ControlCharacters.Escape(text))
        {
            if (c is '\\' or '|' or '*' or '_' or '`' or '[' or ']' or '#' or '~') markdown.Append('\\');
            markdown.Append(c);
        }
        return System.Net.WebUtility.HtmlEncode(markdown.ToString());
    }
}
