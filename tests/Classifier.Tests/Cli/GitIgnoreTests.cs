using System.Text.RegularExpressions;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>What the README's commands write inside the repository (its publish folder, run folders) stays out of git's way.</summary>
public sealed partial class GitIgnoreTests
{
    private static string Repository => Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;

    [Fact]
    public void TheReadmesPublishFolder_AndRunFolders_AreIgnored()
    {
        var ignored = File.ReadAllLines(Path.Combine(Repository, ".gitignore")).Select(l => l.Trim().Trim('/')).ToHashSet();
        var readme = File.ReadAllText(Path.Combine(Repository, "README.md"));

        var publish = PublishOutput().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(publish);
        foreach (var folder in publish.Append("runs"))
            Assert.True(ignored.Contains(folder.Split('/')[0]), $"'{folder}/' (written by the README's commands) is not in .gitignore");
    }

    /// <summary>The output folder of a <c>dotnet publish ... -o DIR</c> line whose DIR is inside the repository.</summary>
    [GeneratedRegex(@"(?m)^dotnet publish [^\n#]*?-o ([\w.-][\w./-]*)")]
    private static partial Regex PublishOutput();
}
