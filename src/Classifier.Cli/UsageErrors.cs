using System.CommandLine;
using System.CommandLine.Parsing;

namespace Classifier.Cli;

/// <summary>
/// Turns a command line that cannot run into one sentence in a user's words: an unknown option (with the closest
/// real one), a missing or bad value, a missing argument, a word where a verb belongs. Also refuses a positional
/// value that looks like an option (<c>predict ... --shardd 0/3</c> must not read <c>--shardd</c> as a path): a
/// path that starts with <c>-</c> goes after <c>--</c>.
/// </summary>
internal static class UsageErrors
{
    /// <summary>The problem with <paramref name="parse"/>, or null when it can run.</summary>
    public static string? Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        // A mistyped option lands in a positional argument; say so before the errors that follow from it.
        var optionLike = OptionLikeArgument(parse, command);
        if (optionLike is not null || parse.Errors.Count == 0) return optionLike;

        var unmatched = parse.UnmatchedTokens;
        // An unknown first word is an unknown verb whatever follows it ('classify serv --model x'): the options after
        // it belong to a verb that does not exist, so naming them would send the user to the wrong fix.
        if (command is RootCommand && unmatched.Count > 0 && unmatched[0] is [not '-', ..])
            return $"unknown verb '{unmatched[0]}'{Suggest(unmatched[0], command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}; the verbs are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.";
        if (unmatched.FirstOrDefault(t => t.Length > 1 && t[0] == '-') is { } dashed) return UnknownOption(command, dashed) + ".";
        if (unmatched.Count > 0) return $"unexpected argument '{unmatched[0]}'{ArgumentsOf(command)}.";

        foreach (var option in command.Options)
        {
            if (parse.GetResult(option) is not OptionResult result || result.Implicit) continue;
            if (result.Tokens.Count == 0 && option.Arity.MinimumNumberOfValues > 0)
                return $"{option.Name} needs a value <{option.HelpName}>.";
            if (result.Tokens.Count > 1 && option.Arity.MaximumNumberOfValues == 1)
                return $"{option.Name} was given more than once; give it once.";
        }
        var own = parse.Errors.FirstOrDefault(e => e.Message.StartsWith('-'));
        if (own is not null) return own.Message;
        if (command.Options.FirstOrDefault(o => o.Required && parse.GetResult(o) is not OptionResult { Implicit: false }) is { } required)
            return $"{FullName(command)} needs {required.Name} <{required.HelpName}>.";
        foreach (var argument in command.Arguments)
            if (argument.Arity.MinimumNumberOfValues > 0 && (parse.GetResult(argument)?.Tokens.Count ?? 0) == 0)
                return $"{FullName(command)} needs {argument.Name}.";
        if (command is RootCommand) return "give a verb.";
        var message = parse.Errors[0].Message;
        // A verb's own validator may say an option is required in System.CommandLine's words.
        if (System.Text.RegularExpressions.Regex.Match(message, "^Option '(--[^']+)' is required\\.$") is { Success: true } match
            && command.Options.FirstOrDefault(o => o.Name == match.Groups[1].Value) is { } named)
            return $"{FullName(command)} needs {named.Name} <{named.HelpName}>.";
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : "the command line could not be read.";
    }

    private static string? OptionLikeArgument(ParseResult parse, Command command)
    {
        var tokens = parse.Tokens.ToList();
        int doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var argument in command.Arguments)
        {
            if (parse.GetResult(argument) is not { } result) continue;
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length < 2 || token.Value[0] != '-') continue;
                int at = tokens.FindIndex(t => ReferenceEquals(t, token));
                if (doubleDash >= 0 && at > doubleDash) continue;
                return $"{UnknownOption(command, token.Value)}; a {argument.Name} that starts with '-' goes after '--' (classify {command.Name} [options] -- {token.Value}).";
            }
        }
        return null;
    }

    private static string UnknownOption(Command command, string token)
    {
        var name = token.Split('=', ':')[0];
        var known = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Append("--help");
        return $"unknown option '{name}'{Suggest(name, known)}";
    }

    private static string Suggest(string given, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Distance(given, k)))
            .Where(k => k.Distance <= Math.Max(2, given.Length / 4) || k.Name.StartsWith(given, StringComparison.Ordinal) && given.Length > 3)
            .OrderBy(k => k.Distance).FirstOrDefault();
        return best.Name is null ? "" : $" (did you mean '{best.Name}'?)";
    }

    private static string ArgumentsOf(Command command) =>
        command.Arguments.Count == 0 ? $"; {FullName(command)} takes no arguments"
            : $"; {FullName(command)} takes {string.Join(" ", command.Arguments.Select(a => a.Arity.MaximumNumberOfValues > 1 ? a.Name + "..." : a.Name))}";

    private static string FullName(Command command) => command is RootCommand ? "classify" : $"classify {command.Name}";

    /// <summary>Edit distance (insertions, deletions, substitutions).</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
