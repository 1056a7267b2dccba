using Classifier.Core.Reporting;
using Classifier.Core;
using Classifier.Core.Evaluation;
using Classifier.Core.Model;

namespace Classifier.Cli.Output;

/// <summary>The human-readable evaluation report: headline figures, per-class table and confusion matrix.</summary>
internal static class EvaluationTable
{
    public static void Write(TextWriter o, EvaluationReport report)
    {
        var r = report.Result;
        var tta = r.Augmentation == TestTimeAugmentation.None ? "" : $", test-time augmentation: {EnumValues.Name(r.Augmentation)}";
        var engine = (r.Engine == Core.Inference.InferenceEngine.Onnx ? ", on ONNX Runtime" : "") +
                     (r.Precision == Core.Torch.Precision.Bf16 ? ", bf16 mixed precision" : "");
        o.WriteLine($"Model: {report.ModelPath} ({report.Info.Architecture}{(report.Info.Weights is { } w ? $" from {w}" : "")}, epoch {report.Info.Epoch}{tta}{engine})");
        o.WriteLine($"Data:  {report.Data.Root} ({r.Images:N0} images{(report.Skipped.Count > 0 ? $", {report.Skipped.Count} skipped" : "")})");
        o.WriteLine();
        var topK = r.TopKAccuracy is { } k ? $"   top-{r.TopK} accuracy: {k:F4}" : "";
        o.WriteLine($"accuracy: {r.Accuracy:F4}{topK}   loss: {r.Loss:F4}");
        o.WriteLine();

        var perClass = r.PerClass;
        var (macro, weighted) = Averages.Of(perClass);
        int width = Math.Max(12, perClass.Max(m => ControlCharacters.Escape(m.Name).Length));
        o.WriteLine($"{"class".PadRight(width)}  {"precision",9}  {"recall",9}  {"f1",9}  {"support",8}");
        foreach (var m in perClass) Row(o, m, width);
        o.WriteLine(new string('-', width + 44));
        Row(o, macro, width);
        Row(o, weighted, width);
        o.WriteLine();

        WriteMatrix(o, r.Matrix);
    }

    private static void Row(TextWriter o, ClassMetrics m, int width) =>
        o.WriteLine($"{ControlCharacters.Escape(m.Name).PadRight(width)}  {m.Precision,9:F4}  {m.Recall,9:F4}  {m.F1,9:F4}  {m.Support,8:N0}");

    /// <summary>Rows are true classes, columns predictions; columns are numbered to stay narrow, with a key.</summary>
    public static void WriteMatrix(TextWriter o, ConfusionMatrix matrix)
    {
        o.WriteLine("Confusion matrix (rows: true class, columns: predicted class)");
        int nameWidth = matrix.ClassNames.Max(n => ControlCharacters.Escape(n).Length) + 5;
        int cell = Math.Max(5, matrix.Total.ToString("N0").Length + 1);
        o.Write(new string(' ', nameWidth));
        for (int c = 0; c < matrix.Size; c++) o.Write($"[{c}]".PadLeft(cell));
        o.WriteLine();
        for (int r = 0; r < matrix.Size; r++)
        {
            o.Write($"[{r}] {ControlCharacters.Escape(matrix.ClassNames[r])}".PadRight(nameWidth));
            for (int c = 0; c < matrix.Size; c++) o.Write(matrix[r, c].ToString("N0").PadLeft(cell));
            o.WriteLine();
        }
    }
}
