using System.Text.RegularExpressions;

namespace Classifier.Tests.Support;

/// <summary>
/// A fenced code block of a Markdown file, with the <c>&lt;!-- doc-test: ... --&gt;</c> directives written on the lines
/// right above its fence: <c>skip: REASON</c> (the block cannot run here, and why) and <c>setup: COMMANDS</c> (shell
/// lines run before the block, unseen by readers, that make what the reader is assumed to have: photos, a data folder).
/// </summary>
/// <param name="File">The Markdown file's path relative to the repository (<c>docs/scale.md</c>).</param>
/// <param name="Line">The line of the opening fence, from 1.</param>
/// <param name="Language">The info string's first word, lower case; empty for a bare fence.</param>
/// <param name="Text">The lines between the fences, without the fence's indentation.</param>
/// <param name="Skip">Why the block cannot run here, or null.</param>
/// <param name="Setup">Shell lines to run before it.</param>
public sealed record DocBlock(string File, int Line, string Language, string Text, string? Skip, IReadOnlyList<string> Setup)
{
    /// <summary>Info strings of blocks a reader pastes into a shell.</summary>
    public static readonly IReadOnlySet<string> ShellLanguages = new HashSet<string>(["sh", "bash", "shell", "zsh"]);

    /// <summary>First words that make a bare block a command a reader would paste (it must then say its language).</summary>
    private static readonly string[] CommandWords =
        ["classify ", "out/classify ", "dotnet ", "python3 ", "/usr/bin/python3 ", "sudo ", "apt-get ", "kubectl ", "sbatch ", "docker "];

    private static readonly Regex Fence = new(@"^(?<indent>\s*)(?<fence>`{3,}|~{3,})(?<info>.*)$");

    private static readonly Regex Directive = new(@"^\s*<!--\s*doc-test:\s*(?<kind>[a-z-]+):\s*(?<value>.*?)\s*-->\s*$");

    /// <summary>Whether a reader pastes it into a shell.</summary>
    public bool IsShell => ShellLanguages.Contains(Language);

    /// <summary>Where it is, as an editor takes it: <c>docs/scale.md:94</c>.</summary>
    public string Where => $"{File}:{Line}";

    /// <summary>
    /// A bare block (no language) whose first line is a command, so that no test would run it: it must say
    /// <c>sh</c> (or <c>text</c> when it is output).
    /// </summary>
    public bool LooksLikeUntaggedCommands =>
        Language.Length == 0
        && Text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.TrimStart() is { } first
        && CommandWords.Any(w => first.StartsWith(w, StringComparison.Ordinal));

    /// <summary>The blocks of <paramref name="markdown"/>, in order. Throws naming the line for a malformed directive.</summary>
    public static List<DocBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<DocBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence.Match(lines[i]);
            if (!open.Success) continue;
            string indent = open.Groups["indent"].Value, fence = open.Groups["fence"].Value;
            var info = open.Groups["info"].Value.Trim();
            int close = i + 1;
            while (close < lines.Length && !IsClosing(lines[close], fence)) close++;
            var body = lines[(i + 1)..Math.Min(close, lines.Length)]
                .Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l.TrimStart());
            var (skip, setup) = Directives(file, lines, i);
            blocks.Add(new DocBlock(file, i + 1, info.Split(' ', 2)[0].ToLowerInvariant(), string.Join('\n', body), skip, setup));
            i = close;
        }
        return blocks;
    }

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    /// <summary>The <c>doc-test</c> comments on the lines right above the fence at <paramref name="fenceLine"/>.</summary>
    private static (string? Skip, List<string> Setup) Directives(string file, string[] lines, int fenceLine)
    {
        string? skip = null;
        var setup = new List<string>();
        for (int j = fenceLine - 1; j >= 0 && lines[j].TrimStart().StartsWith("<!--", StringComparison.Ordinal); j--)
        {
            if (!lines[j].Contains("doc-test", StringComparison.Ordinal)) break;
            var directive = Directive.Match(lines[j]);
            if (!directive.Success || directive.Groups["value"].Value.Length == 0)
                throw new FormatException($"{file}:{j + 1}: write '<!-- doc-test: skip: WHY -->' or '<!-- doc-test: setup: COMMANDS -->' on one line");
            switch (directive.Groups["kind"].Value)
            {
                case "skip":
                    skip = directive.Groups["value"].Value;
                    break;
                case "setup":
                    setup.Insert(0, directive.Groups["value"].Value);
                    break;
                default:
                    throw new FormatException($"{file}:{j + 1}: unknown doc-test directive '{directive.Groups["kind"].Value}' (skip or setup)");
            }
        }
        return (skip, setup);
    }
}
