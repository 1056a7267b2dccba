namespace Classifier.Tests.Serve;

/// <summary>A test that runs only where headless Chromium is installed, and otherwise says how to install it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser's path, or null when none is installed.</summary>
    public static string? Path { get; } =
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public ChromiumFactAttribute()
    {
        if (Path is null) Skip = "Tests the page at / in headless Chromium, which is not installed here (apt-get install chromium).";
    }
}
