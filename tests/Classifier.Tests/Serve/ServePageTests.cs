using System.Diagnostics;
using Classifier.Tests.Support;

namespace Classifier.Tests.Serve;

/// <summary>
/// The page at <c>/</c> in headless Chromium: an image handed to the page (the link form, /#image=data:...) is sent
/// to <c>POST /predict</c> and its top-k drawn as a table; the screenshot is kept in the test output
/// (serve-page.png beside the test assembly). Skipped, saying why, where Chromium is not installed.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class ServePageTests(SampleRunFixture sample)
{
    [ChromiumFact]
    public async Task Page_ClassifiesAnImage_AndShowsItsTopK()
    {
        var file = Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Trouser"), "*.png").OrderBy(f => f, StringComparer.Ordinal).First();
        var expected = (await ServeTestRows.Predict(sample.Run, [Path.GetFullPath(file)], "--engine", "torch")).Values.Single();
        using var server = await ServeProcess.Start("--model", sample.Run, "--engine", "torch", "--top-k", "3");
        var url = $"{server.Address}#image=data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(file))}";

        var dom = await RunChromium("--dump-dom", url);
        var screenshot = Path.Combine(AppContext.BaseDirectory, "serve-page.png");
        File.Delete(screenshot);
        await RunChromium($"--screenshot={screenshot}", url);

        // The page asked the model's metadata and drew predict's top 3 for the image.
        var label = System.Text.Json.Nodes.JsonNode.Parse(expected)!["label"]!.GetValue<string>();
        Assert.Contains($"data-label=\"{label}\"", dom);
        Assert.Contains("seed-cnn, 10 classes, 28 px, top 3", dom);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(dom, "class=\"bar\"").Count);
        Assert.True(new FileInfo(screenshot).Length > 5000, "the screenshot should hold the drawn page");
        Assert.Contains(server.ErrorLines, l => l.Contains("\"POST /predict\" 200 images=1", StringComparison.Ordinal));
    }

    private static async Task<string> RunChromium(string mode, string url)
    {
        using var profile = new TempDir();
        var start = new ProcessStartInfo(ChromiumFactAttribute.Path!,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            $"--user-data-dir={profile.Path}", "--window-size=820,560", "--virtual-time-budget=10000", mode, url,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return await output;
    }
}
