using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Runs;

namespace Classifier.Cli.Output;

/// <summary>
/// <c>classify runs</c>'s listing: one line per run, best first, with the best epoch's metrics and the options that
/// differ between the runs (the sweep's hyper-parameters), as a table, CSV or JSON.
/// </summary>
internal static class RunsTable
{
    private static readonly string[] Columns = ["run", "best_epoch", "last_epoch", "val_accuracy", "val_loss", "accuracy", "loss", "seconds"];

    public static void Write(TextWriter o, IReadOnlyList<RunSummary> runs, string format)
    {
        var names = Names(runs);
        var options = RunSummary.DifferingOptions(runs);
        var rows = runs.Select((r, i) => Cells(names[i], r).Concat(options.Select(key => Value(r.Options.GetValueOrDefault(key)))).ToArray()).ToList();
        var header = Columns.Concat(options).ToArray();
        switch (format)
        {
            case "json":
                o.WriteLine(Json(runs, names, options).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "csv":
                o.WriteLine(string.Join(',', header.Select(Csv.Escape)));
                foreach (var row in rows) o.WriteLine(string.Join(',', row.Select(Csv.Escape)));
                break;
            default:
                var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
                o.WriteLine(string.Join("  ", header.Select((h, c) => c == 0 ? h.PadRight(widths[c]) : h.PadLeft(widths[c]))).TrimEnd());
                foreach (var row in rows)
                    o.WriteLine(string.Join("  ", row.Select((v, c) => c == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd());
                if (runs.Count > 1 && options.Count == 0) o.WriteLine("(the runs' options.json files do not differ)");
                break;
        }
    }

    private static IEnumerable<string> Cells(string name, RunSummary r) =>
    [
        name, I(r.Best.Epoch), I(r.LastEpoch), F(r.Best.ValAccuracy), F(r.Best.ValLoss), F(r.Best.Accuracy), F(r.Best.Loss),
        r.Seconds.ToString("0", CultureInfo.InvariantCulture),
    ];

    private static JsonArray Json(IReadOnlyList<RunSummary> runs, IReadOnlyList<string> names, IReadOnlyList<string> options) =>
        new(runs.Select((r, i) => (JsonNode?)new JsonObject
        {
            ["run"] = names[i],
            ["path"] = r.Folder,
            ["best_epoch"] = r.Best.Epoch,
            ["last_epoch"] = r.LastEpoch,
            ["val_accuracy"] = r.Best.ValAccuracy,
            ["val_loss"] = r.Best.ValLoss,
            ["accuracy"] = r.Best.Accuracy,
            ["loss"] = r.Best.Loss,
            ["seconds"] = r.Seconds,
            ["options"] = new JsonObject(options.Select(key => KeyValuePair.Create(key,
                r.Options.TryGetValue(key, out var raw) ? JsonNode.Parse(raw) : null))),
        }).ToArray());

    /// <summary>Each run's folder name, with its parent added where two runs share a name.</summary>
    private static List<string> Names(IReadOnlyList<RunSummary> runs)
    {
        var names = runs.Select(r => Path.GetFileName(r.Folder)).ToList();
        for (int i = 0; i < names.Count; i++)
            if (runs.Count(r => Path.GetFileName(r.Folder) == Path.GetFileName(runs[i].Folder)) > 1)
                names[i] = Path.Combine(Path.GetFileName(Path.GetDirectoryName(runs[i].Folder)) ?? "", Path.GetFileName(runs[i].Folder));
        return names;
    }

    /// <summary>An option's JSON value as a cell: strings without quotes, null as "-", missing as "".</summary>
    private static string Value(string? raw) => raw switch
    {
        null => "",
        "null" => "-",
        _ when raw.StartsWith('"') => JsonSerializer.Deserialize<string>(raw) ?? "",
        _ => raw,
    };

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
