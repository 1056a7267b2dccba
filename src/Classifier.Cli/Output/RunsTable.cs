using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;

namespace Classifier.Cli.Output;

/// <summary>
/// <c>classify runs</c>'s listing: the runs grouped by the data they trained on, each group ranked by its metric
/// (<see cref="RunRanking"/>), with the options that differ inside the group (the sweep's hyper-parameters). The table
/// fits 100 columns: the metrics a reader compares first, the options as <c>name=value</c> wrapped beside or below them;
/// CSV and JSON carry every figure for scripts.
/// </summary>
internal static class RunsTable
{
    /// <summary>The table's width in characters.</summary>
    public const int Width = 100;

    private const int MaxRunName = 28;

    /// <summary>Below this many characters beside the figures, the options go on their own lines under the run.</summary>
    private const int MinOptionsWidth = 24;

    private static readonly string[] Columns = ["run", "best_epoch", "last_epoch", "val_accuracy", "val_loss", "accuracy", "loss", "seconds"];

    /// <summary>Writes <paramref name="groups"/> as <paramref name="format"/>; CSV and JSON leave the notes to <paramref name="notes"/>.</summary>
    public static void Write(TextWriter o, TextWriter notes, IReadOnlyList<RunGroup> groups, string format)
    {
        var names = Names(groups.SelectMany(g => g.Runs).Select(r => r.Run).ToList());
        switch (format)
        {
            case "json":
                o.WriteLine(Json(groups, names).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                WriteNotes(notes, groups);
                break;
            case "csv":
                WriteCsv(o, groups, names);
                WriteNotes(notes, groups);
                break;
            default:
                for (int g = 0; g < groups.Count; g++)
                {
                    if (g > 0) o.WriteLine();
                    WriteGroup(o, groups[g], names);
                }
                break;
        }
    }

    private static void WriteGroup(TextWriter o, RunGroup group, IReadOnlyDictionary<string, string> names)
    {
        foreach (var line in Wrap(Heading(group), Width, "")) o.WriteLine(line);
        var metrics = new[] { group.Metric, RankMetric.ValAccuracy, RankMetric.ValLoss }.Distinct().ToList();
        var header = new List<string> { "#", "run" };
        header.AddRange(metrics.Select(m => m.Name));
        header.AddRange(["epoch", "seconds"]);
        var rows = group.Runs.Select(r => new List<string> { r.Rank is { } rank ? I(rank) : "-", Shorten(names[r.Run.Folder]) }
            .Concat(metrics.Select(m => m.ValueOf(r.Run) is { } v ? F(v) : "-"))
            .Concat([$"{I(r.Run.Best.Epoch)}/{I(r.Run.LastEpoch)}", r.Run.Seconds.ToString("0", CultureInfo.InvariantCulture)])
            .ToList()).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((v, c) => c == 1 ? v.PadRight(widths[c]) : v.PadLeft(widths[c])));

        // An option a run's options.json does not have (written by an earlier version) is left out of its list.
        var options = group.Runs.Select(r => group.DifferingOptions.Where(r.Run.Options.ContainsKey)
            .Select(key => $"{key}={Value(r.Run.Options[key])}").ToList()).ToList();
        int optionsAt = widths.Sum() + 2 * widths.Length;
        bool beside = group.DifferingOptions.Count > 0 && Width - optionsAt >= MinOptionsWidth;
        o.WriteLine((Line(header) + (beside ? "  options" : "")).TrimEnd());
        for (int i = 0; i < rows.Count; i++)
        {
            var row = Line(rows[i]);
            if (options[i].Count == 0)
            {
                o.WriteLine(row.TrimEnd());
                continue;
            }
            if (beside)
            {
                var wrapped = Wrap(string.Join(' ', options[i]), Width - optionsAt, "");
                o.WriteLine(row + "  " + wrapped[0]);
                foreach (var more in wrapped.Skip(1)) o.WriteLine(new string(' ', optionsAt) + more);
            }
            else
            {
                o.WriteLine(row.TrimEnd());
                foreach (var line in Wrap(string.Join(' ', options[i]), Width, "      ")) o.WriteLine(line);
            }
        }
        if (group.Runs.Count > 1 && group.DifferingOptions.Count == 0) o.WriteLine("(the runs' options.json files do not differ)");
        foreach (var note in group.Notes)
            foreach (var line in Wrap("note: " + note, Width, "  ")) o.WriteLine(line);
    }

    /// <summary>"DATA (validation: VAL): 3 runs by eval:test: eval-test/metrics.json accuracy, highest first".</summary>
    private static string Heading(RunGroup group) =>
        (group.DataFolder ?? "data folder unknown (no options.json)") +
        (group.ValidationFolder is { } validation ? $" (validation: {validation})" : "") +
        $": {group.Runs.Count} run{(group.Runs.Count == 1 ? "" : "s")} by {group.Metric.Describe()}";

    private static void WriteNotes(TextWriter notes, IReadOnlyList<RunGroup> groups)
    {
        foreach (var group in groups)
            foreach (var note in group.Notes)
                notes.WriteLine($"note: {group.DataFolder ?? "data folder unknown"}: {note}");
    }

    private static void WriteCsv(TextWriter o, IReadOnlyList<RunGroup> groups, IReadOnlyDictionary<string, string> names)
    {
        var runs = groups.SelectMany(g => g.Runs).ToList();
        var evaluations = runs.SelectMany(r => r.Run.Evaluations.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var options = groups.SelectMany(g => g.DifferingOptions).Distinct().ToList();
        var header = Columns.Concat(["data", "val", "rank", "ranked_by", "score"])
            .Concat(evaluations.Select(e => RankMetric.EvalPrefix + e)).Concat(options);
        o.WriteLine(string.Join(',', header.Select(Csv.Escape)));
        foreach (var group in groups)
            foreach (var ranked in group.Runs)
            {
                var r = ranked.Run;
                var cells = new[]
                    {
                        names[r.Folder], I(r.Best.Epoch), I(r.LastEpoch), F(r.Best.ValAccuracy), F(r.Best.ValLoss), F(r.Best.Accuracy), F(r.Best.Loss),
                        r.Seconds.ToString("0", CultureInfo.InvariantCulture),
                        group.DataFolder ?? "", group.ValidationFolder ?? "", ranked.Rank is { } rank ? I(rank) : "", group.Metric.Name,
                        ranked.Score is { } score ? F(score) : "",
                    }
                    .Concat(evaluations.Select(e => r.Evaluations.TryGetValue(e, out var evaluation) ? F(evaluation.Accuracy) : ""))
                    .Concat(options.Select(key => Value(r.Options.GetValueOrDefault(key))));
                o.WriteLine(string.Join(',', cells.Select(Csv.Escape)));
            }
    }

    private static JsonArray Json(IReadOnlyList<RunGroup> groups, IReadOnlyDictionary<string, string> names) =>
        new(groups.SelectMany(group => group.Runs.Select(ranked =>
        {
            var r = ranked.Run;
            return (JsonNode?)new JsonObject
            {
                ["run"] = names[r.Folder],
                ["path"] = r.Folder,
                ["data"] = group.DataFolder,
                ["val"] = group.ValidationFolder,
                ["rank"] = ranked.Rank,
                ["ranked_by"] = group.Metric.Name,
                ["score"] = ranked.Score,
                ["best_epoch"] = r.Best.Epoch,
                ["last_epoch"] = r.LastEpoch,
                ["val_accuracy"] = Finite(r.Best.ValAccuracy),
                ["val_loss"] = Finite(r.Best.ValLoss),
                ["accuracy"] = Finite(r.Best.Accuracy),
                ["loss"] = Finite(r.Best.Loss),
                ["seconds"] = r.Seconds,
                ["evaluations"] = new JsonObject(r.Evaluations.Values.Select(e => KeyValuePair.Create(e.Name, (JsonNode?)new JsonObject
                {
                    ["accuracy"] = e.Accuracy,
                    ["images"] = e.Images,
                    ["data"] = e.Data,
                }))),
                ["options"] = new JsonObject(group.DifferingOptions.Select(key => KeyValuePair.Create(key,
                    r.Options.TryGetValue(key, out var raw) ? JsonNode.Parse(raw) : null))),
            };
        })).ToArray());

    /// <summary>Each run's folder name (by full path), with its parent added where two runs share a name.</summary>
    private static Dictionary<string, string> Names(IReadOnlyList<RunSummary> runs)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var name = Path.GetFileName(run.Folder);
            names[run.Folder] = runs.Count(r => Path.GetFileName(r.Folder) == name) > 1
                ? Path.Combine(Path.GetFileName(Path.GetDirectoryName(run.Folder)) ?? "", name)
                : name;
        }
        return names;
    }

    /// <summary>A run name cut to <see cref="MaxRunName"/> characters, keeping its end (where sweeps put what differs).</summary>
    private static string Shorten(string name) => name.Length <= MaxRunName ? name : "..." + name[^(MaxRunName - 3)..];

    /// <summary>
    /// <paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces (a longer
    /// word, such as a path, is cut), lines after the first starting with <paramref name="indent"/>.
    /// </summary>
    internal static List<string> Wrap(string text, int width, string indent)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                string prefix = lines.Count == 0 ? "" : indent;
                if (line.Length == 0) line = prefix;
                int room = width - line.Length - (line.Length > prefix.Length ? 1 : 0);
                if (rest.Length <= room)
                {
                    line += (line.Length > prefix.Length ? " " : "") + rest;
                    rest = "";
                }
                else if (line.Length > prefix.Length)
                {
                    lines.Add(line);
                    line = "";
                }
                else
                {
                    lines.Add(line + rest[..room]);
                    rest = rest[room..];
                    line = "";
                }
            }
        }
        if (line.Length > 0 || lines.Count == 0) lines.Add(line);
        return lines;
    }

    /// <summary>An option's JSON value as a cell: strings without quotes, null as "-", missing as "".</summary>
    private static string Value(string? raw) => raw switch
    {
        null => "",
        "null" => "-",
        _ when raw.StartsWith('"') => JsonSerializer.Deserialize<string>(raw) ?? "",
        _ => raw,
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
