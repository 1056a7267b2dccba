using System.Globalization;
using CsharpApp;

// classify-sample MODEL.onnx IMAGE... [--top-k K]: one line per image, as `classify predict --top-k K` prints its
// table: label and confidence, then the other top-k classes, then the path.
var arguments = args.ToList();
int k = 1;
int topKAt = arguments.IndexOf("--top-k");
if (topKAt >= 0 && topKAt + 1 < arguments.Count)
{
    k = int.Parse(arguments[topKAt + 1], CultureInfo.InvariantCulture);
    arguments.RemoveRange(topKAt, 2);
}
if (arguments.Count < 2)
{
    Console.Error.WriteLine("usage: classify-sample MODEL.onnx IMAGE... [--top-k K]");
    return 2;
}

using var model = new ClassifyModel(arguments[0]);
int failed = 0;
foreach (var path in arguments.Skip(1))
{
    try
    {
        using var file = File.OpenRead(path);
        var top = model.Classify(file, k);
        Console.WriteLine(string.Join("  ", top.Select(t => $"{t.Label}  {t.Probability.ToString("0.0000", CultureInfo.InvariantCulture)}")) + "  " + path);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or SixLabors.ImageSharp.ImageFormatException)
    {
        Console.WriteLine($"ERROR  {path}  ({e.Message})");
        failed++;
    }
}
return failed == arguments.Count - 1 ? 2 : 0;
