using Classifier.Core.Reporting;
using System.Globalization;
using System.Text.Json.Nodes;
using Classifier.Core.Prediction;
using Classifier.Core.Runs;

namespace Classifier.Cli.Output;

/// <summary>
/// Writes prediction rows as they arrive. <c>table</c>: label, confidence, the other top-k classes, then the path
/// (last, so columns line up without knowing every path first). <c>csv</c>: <c>path,label,confidence</c>, then
/// <c>label_2,confidence_2</c>... up to k, then <c>error</c>. <c>json</c>: JSON Lines, one object per file with
/// <c>path</c>, <c>label</c>, <c>confidence</c>, <c>top_k</c> (list of label/confidence) and <c>error</c>.
/// </summary>
internal sealed class PredictionWriter(TextWriter o, OutputFormat format, int topK, IReadOnlyList<string> classNames)
{
    private readonly int _labelWidth = Math.Max(5, classNames.Max(n => ControlCharacters.Escape(n).Length));

    public void WriteHeader()
    {
        switch (format)
        {
            case OutputFormat.Csv:
                var columns = new List<string> { "path", "label", "confidence" };
                for (int j = 2; j <= topK; j++) columns.AddRange([$"label_{j}", $"confidence_{j}"]);
                columns.Add("error");
                o.WriteLine(string.Join(',', columns));
                break;
            case OutputFormat.Table:
                var header = $"{"label".PadRight(_labelWidth)}  {"conf",6}";
                for (int j = 2; j <= topK; j++) header += $"  {$"#{j}".PadRight(_labelWidth)}  {"conf",6}";
                o.WriteLine(header + "  path");
                break;
        }
    }

    public void Write(PredictionRow row)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                var cells = new List<string> { Csv.Escape(row.Path) };
                for (int j = 0; j < topK; j++)
                {
                    cells.Add(j < row.Top.Count ? Csv.Escape(row.Top[j].Label) : "");
                    cells.Add(j < row.Top.Count ? P(row.Top[j].Probability) : "");
                }
                cells.Add(row.Error is null ? "" : Csv.Escape(row.Error));
                o.WriteLine(string.Join(',', cells));
                break;
            case OutputFormat.Json:
                var top = new JsonArray(row.Top.Select(t => (JsonNode?)new JsonObject
                {
                    ["label"] = t.Label,
                    ["confidence"] = Math.Round((double)t.Probability, 6),
                }).ToArray());
                o.WriteLine(new JsonObject
                {
                    ["path"] = row.Path,
                    ["label"] = row.Label,
                    ["confidence"] = row.Confidence is { } c ? Math.Round((double)c, 6) : null,
                    ["top_k"] = top,
                    ["error"] = row.Error,
                }.ToJsonString());
                break;
            default:
                if (row.Error is not null)
                {
                    var blank = $"{"ERROR".PadRight(_labelWidth)}  {"",6}";
                    for (int j = 2; j <= topK; j++) blank += $"  {"".PadRight(_labelWidth)}  {"",6}";
                    o.WriteLine($"{blank}  {ControlCharacters.Escape(row.Path)}  ({ControlCharacters.Escape(row.Error)})");
                    break;
                }
                var line = "";
                for (int j = 0; j < topK; j++)
                    line += (j == 0 ? "" : "  ") + $"{ControlCharacters.Escape(row.Top[j].Label).PadRight(_labelWidth)}  {P(row.Top[j].Probability),6}";
                o.WriteLine($"{line}  {ControlCharacters.Escape(row.Path)}");
                break;
        }
    }

    private static string P(float probability) => probability.ToString("0.0000", CultureInfo.InvariantCulture);
}
