namespace Classifier.Cli.Serve;

/// <summary>The page at <c>/</c>: drop an image, see its top-k (index.html, embedded in the assembly).</summary>
internal static class IndexPage
{
    /// <summary>The page for the model served as <paramref name="modelName"/> (letters, digits, '-', '_', '.': safe in a script string).</summary>
    public static string For(string modelName)
    {
        using var stream = typeof(IndexPage).Assembly.GetManifestResourceStream("Classifier.Cli.Serve.index.html")
                           ?? throw new InvalidOperationException("index.html is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("__MODEL_NAME__", modelName, StringComparison.Ordinal);
    }
}
