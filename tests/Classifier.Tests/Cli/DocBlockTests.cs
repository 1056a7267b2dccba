using Classifier.Tests.Support;
using Xunit.Abstractions;

namespace Classifier.Tests.Cli;

/// <summary>
/// Every shell block of docs/*.md runs as written: each document's <c>sh</c>/<c>bash</c>/<c>zsh</c> blocks, in order,
/// in a fresh reader's folder (<see cref="DocShell"/>: a copy of the sample, <c>runs/fashion</c> a one-epoch 28 px run,
/// <c>classify</c> and <c>out/classify</c> the CLI built beside the tests), each must exit 0. A block that cannot run
/// here says so in the Markdown, on the line above its fence: <c>&lt;!-- doc-test: skip: WHY --&gt;</c>; a block that
/// needs the reader's own files gets them from <c>&lt;!-- doc-test: setup: COMMANDS --&gt;</c>. New documents and
/// blocks are picked up by themselves.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class DocBlockTests(SampleRunFixture sample, ITestOutputHelper output) : IDisposable
{
    /// <summary>Long enough for the scale document's dozen CLI starts on a loaded 2-core machine.</summary>
    private static readonly TimeSpan BlockTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Repository => Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;

    /// <summary>docs/*.md, by name.</summary>
    public static TheoryData<string> Documents => [.. DocumentNames()];

    private static IEnumerable<string> DocumentNames() =>
        Directory.GetFiles(Path.Combine(Repository, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);

    private static List<DocBlock> Blocks(string document) =>
        DocBlock.Parse(document, File.ReadAllText(Path.Combine(Repository, document)));

    [Theory]
    [Trait("Category", TestCategories.Slow)]
    [MemberData(nameof(Documents))]
    public void ShellBlocks_RunAsWritten_InOrder(string document)
    {
        var blocks = Blocks(document).Where(b => b.IsShell).ToList();
        foreach (var skipped in blocks.Where(b => b.Skip is not null))
            output.WriteLine($"skipped {skipped.Where}: {skipped.Skip}");
        var runnable = blocks.Where(b => b.Skip is null).ToList();
        if (runnable.Count == 0) return;

        var shell = new DocShell(_dir.Combine(Path.GetFileNameWithoutExtension(document)), sample.Run);
        foreach (var block in runnable)
        {
            var started = DateTime.UtcNow;
            var (exitCode, text) = shell.Run(block, BlockTimeout);
            output.WriteLine($"ran {block.Where} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s: exit {exitCode}");
            Assert.True(exitCode == 0,
                $"{block.Where} exited {exitCode} (run in a copy of the sample, see DocBlockTests):\n{block.Text}\n--- output\n{text}");
        }
        foreach (var line in shell.Shortened)
            output.WriteLine($"shortened: {line}");
    }

    [Fact]
    public void EveryShellBlockThatDoesNotRun_SaysWhy_AndNoCommandBlockHidesWithoutALanguage()
    {
        var blocks = DocumentNames().SelectMany(Blocks).ToList();

        var skipped = blocks.Where(b => b.IsShell && b.Skip is not null).ToList();
        foreach (var block in skipped)
            output.WriteLine($"skipped {block.Where} ({block.Language}): {block.Skip}");
        Assert.All(skipped, b => Assert.True(b.Skip!.Length >= 10, $"{b.Where}: say why it cannot run here"));
        Assert.All(blocks.Where(b => !b.IsShell), b => Assert.True(b.Skip is null && b.Setup.Count == 0,
            $"{b.Where}: doc-test directives only apply to sh, bash, shell or zsh blocks"));
        var untagged = blocks.Where(b => b.LooksLikeUntaggedCommands).Select(b => b.Where).ToList();
        Assert.True(untagged.Count == 0,
            "These blocks start with a command but have no language, so no test runs them; write ```sh above them "
            + "(```text if they are output): " + string.Join(", ", untagged));
        Assert.Contains(blocks, b => b.IsShell && b.Skip is null);
    }

    [Fact]
    public void SampleConfigs_UseTheFlatOptionForm_NotTheOldAugmentObject()
    {
        var samples = Path.Combine(Repository, "samples");
        var configs = Directory.GetFiles(samples, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}fashion-mini{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(Repository, f), Root: System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement))
            .Where(c => c.Root.ValueKind == System.Text.Json.JsonValueKind.Object && c.Root.TryGetProperty("image-size", out _))
            .ToList();

        Assert.Contains(configs, c => c.Path.Contains("sweep", StringComparison.Ordinal));
        Assert.All(configs, c => Assert.False(c.Root.TryGetProperty("augment", out _),
            $"{c.Path}: write the augmentation options at the top level (\"horizontal-flip\": true), as options.json does"));
    }

    [Fact]
    public void Parse_ReadsLanguagesDirectivesAndIndentedFences()
    {
        const string markdown = """
            # A document

            <!-- doc-test: setup: mkdir -p photos -->
            ```sh
            classify predict --model runs/fashion photos
            ```

            - a list item:

              <!-- doc-test: skip: needs a Kubernetes cluster -->
              ```bash
              kubectl apply -f job.yaml
              ```

            ```
            classify eval --model runs/fashion data
            ```

            ````text
            ```sh
            not a block of its own
            ```
            ````
            """;

        var blocks = DocBlock.Parse("docs/x.md", markdown);

        Assert.Equal(["sh", "bash", "", "text"], blocks.Select(b => b.Language));
        Assert.Equal([4, 11, 15, 19], blocks.Select(b => b.Line));
        Assert.Equal(["mkdir -p photos"], blocks[0].Setup);
        Assert.Null(blocks[0].Skip);
        Assert.Equal("needs a Kubernetes cluster", blocks[1].Skip);
        Assert.Equal("kubectl apply -f job.yaml", blocks[1].Text);
        Assert.True(blocks[2].LooksLikeUntaggedCommands);
        Assert.Equal("```sh\nnot a block of its own\n```", blocks[3].Text);
        var error = Assert.Throws<FormatException>(() => DocBlock.Parse("docs/y.md", "<!-- doc-test: skip -->\n```sh\nls\n```\n"));
        Assert.Contains("docs/y.md:1", error.Message);
    }
}
