using System.Text.Json.Nodes;
using Classifier.Tests.Support;

namespace Classifier.Tests.Serve;

/// <summary>What the serve tests compare: a row's answer (label, confidence, top-k) as predict's JSON writes it.</summary>
internal static class ServeTestRows
{
    /// <summary>Runs <c>classify predict --format json --top-k 3</c> in process; the answer per file.</summary>
    public static async Task<Dictionary<string, string>> Predict(string model, string[] files, params string[] extra)
    {
        var run = await CliRun.Of(["predict", "--model", model, .. files, "--format", "json", "--top-k", "3", .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!)
            .ToDictionary(r => r["path"]!.GetValue<string>(), Answer);
    }

    /// <summary>
    /// Whether two rows (as <see cref="Answer"/> gives them) give the same classes in the same order and the same
    /// confidences to within one unit of their sixth decimal. libtorch's CPU kernels round differently for different
    /// batch sizes: predict itself, on the sample's 300 validation images, gave 46 rows that differ in the sixth
    /// decimal between --batch-size 64 and 1, and a server's batches are whatever arrives together.
    /// </summary>
    public static bool SameAnswer(string served, string predicted)
    {
        var a = JsonNode.Parse(served)!;
        var b = JsonNode.Parse(predicted)!;
        var topA = a["top_k"]!.AsArray();
        var topB = b["top_k"]!.AsArray();
        if (topA.Count != topB.Count || a["error"]?.ToJsonString() != b["error"]?.ToJsonString()) return false;
        for (int j = 0; j < topA.Count; j++)
        {
            if (topA[j]!["label"]!.GetValue<string>() != topB[j]!["label"]!.GetValue<string>()) return false;
            if (Math.Abs(topA[j]!["confidence"]!.GetValue<double>() - topB[j]!["confidence"]!.GetValue<double>()) > 1.5e-6) return false;
        }
        return true;
    }

    /// <summary>The row without its path (the server names an upload by its file name, predict by its full path).</summary>
    public static string Answer(JsonNode row) =>
        new JsonObject
        {
            ["label"] = row["label"]?.DeepClone(),
            ["confidence"] = row["confidence"]?.DeepClone(),
            ["top_k"] = row["top_k"]?.DeepClone(),
            ["error"] = row["error"]?.DeepClone(),
        }.ToJsonString();
}
