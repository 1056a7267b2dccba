namespace Classifier.Tests.Support;

/// <summary>The bundled sample dataset, found from the test binary's location.</summary>
public static class SampleData
{
    public static string FashionMini
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "fashion-mini");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("samples/fashion-mini not found above " + AppContext.BaseDirectory);
        }
    }
}
