using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Classifier.Cli.Help;

/// <summary>
/// Writes a verb's help: usage, description, arguments, then the options by group with their defaults, wrapped to
/// <c>width</c> columns. Every value is shown as <c>&lt;PLACEHOLDER&gt;</c>.
/// </summary>
internal static class HelpWriter
{
    /// <summary>Widest first column; longer option names put their description on the next line.</summary>
    private const int MaxNameColumn = 30;

    private const char NoBreak = '\u00A0';

    public static void Write(TextWriter output, Command command, string commandPath, int width)
    {
        var text = new StringBuilder();
        text.Append("Usage: ").Append(Usage(command, commandPath)).Append("\n\n");
        foreach (var line in Wrap(command.Description ?? "", width)) text.Append(line).Append('\n');

        var rows = new List<(string? Title, List<(string Name, string Description)> Rows)>();
        if (command.Arguments.Count > 0)
            rows.Add(("Arguments", command.Arguments.Where(a => !a.Hidden).Select(a => (a.Name, a.Description ?? "")).ToList()));
        var sections = command is VerbCommand verb && verb.Sections.Count > 0 ? verb.Sections : [];
        var listed = sections.SelectMany(s => s.Options).ToHashSet();
        foreach (var section in sections)
            rows.Add((section.Title, section.Options.Where(o => !o.Hidden).Select(o => (Name(o), Describe(command, o))).ToList()));
        var rest = command.Options.Where(o => !o.Hidden && !listed.Contains(o)).ToList();
        var others = rest.Select(o => (Name(o), Describe(command, o))).Append(("--help, -h", "Show this help.")).ToList();
        rows.Add((sections.Count > 0 ? "Other options" : "Options", others));

        int column = Math.Min(MaxNameColumn, rows.SelectMany(r => r.Rows).Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 4);
        foreach (var (title, items) in rows.Where(r => r.Rows.Count > 0))
        {
            text.Append('\n').Append(title).Append(":\n");
            foreach (var (name, description) in items)
            {
                var lines = Wrap(description, Math.Max(20, width - column));
                if (2 + name.Length + 2 <= column)
                {
                    text.Append("  ").Append(name.PadRight(column - 2)).Append(lines.FirstOrDefault() ?? "").Append('\n');
                    lines = lines.Skip(1).ToList();
                }
                else
                {
                    text.Append("  ").Append(name).Append('\n');
                }
                foreach (var line in lines) text.Append(new string(' ', column)).Append(line).Append('\n');
            }
        }
        output.Write(text.ToString().Replace(NoBreak, ' '));
    }

    /// <summary>Help width: the terminal's when help goes to one, else 80 (pipes, files, tests).</summary>
    public static int WidthFor(TextWriter output)
    {
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected) return 80;
        try
        {
            return Console.WindowWidth is var w and >= 40 ? w : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    /// <summary>Splits <paramref name="text"/> into lines of at most <paramref name="width"/> characters, at spaces.</summary>
    public static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }

    private static string Usage(Command command, string commandPath)
    {
        var parts = new List<string> { commandPath };
        parts.AddRange(command.Options.Where(o => o.Required).Select(o => $"{o.Name} <{o.HelpName}>"));
        foreach (var argument in command.Arguments)
        {
            var name = argument.Arity.MaximumNumberOfValues > 1 ? argument.Name + "..." : argument.Name;
            parts.Add(argument.Arity.MinimumNumberOfValues == 0 ? $"[{name}]" : name);
        }
        parts.Add("[options]");
        return string.Join(' ', parts);
    }

    private static string Name(Option option)
    {
        var name = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)));
        bool takesValue = option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
        return takesValue ? $"{name} <{option.HelpName ?? "VALUE"}>" : name;
    }

    private static string Describe(Command command, Option option)
    {
        var description = option.Description ?? "";
        if (option.Required) return description + " (required)";
        string? shown = command is VerbCommand verb && verb.DefaultTexts.TryGetValue(option, out var text) ? text
            : option.ValueType != typeof(bool) && option.HasDefaultValue ? Format(option.GetDefaultValue()) : null;
        // A no-break space keeps "[default:" with its value when the line is wrapped.
        return string.IsNullOrEmpty(shown) ? description : $"{description} [default:{NoBreak}{shown.Replace(' ', NoBreak)}]";
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum choice => Core.EnumValues.Name(choice),
        System.Collections.IEnumerable list and not string => string.Join(" ", list.Cast<object>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
