using System.CommandLine;
using System.CommandLine.Parsing;
using Classifier.Core;
using Classifier.Core.Options;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// Options whose values are read by <see cref="OptionKind"/>, so every verb refuses a bad value while parsing, in the
/// same words ("--image-size needs a whole number, got 'abc'.") and before any work starts (NaN and infinities too).
/// Every value option names its placeholder in one style (<c>&lt;N&gt;</c>, <c>&lt;DIR&gt;</c>, <c>&lt;table|json&gt;</c>).
/// </summary>
internal static class ValueOptions
{
    /// <summary>An option of <paramref name="kind"/> (an int, long or double kind) with a default.</summary>
    public static Option<T> Number<T>(string name, OptionKind kind, string description, T defaultValue, string? valueName = null, params string[] aliases)
    {
        var option = new Option<T>(name, aliases)
        {
            Description = description,
            HelpName = valueName ?? kind.Placeholder,
            DefaultValueFactory = _ => defaultValue,
        };
        option.CustomParser = result => result.Tokens.Count == 0 ? defaultValue : Read<T>(result, kind, name);
        return option;
    }

    /// <summary>An optional number: null when not given.</summary>
    public static Option<T?> Optional<T>(string name, OptionKind kind, string description, string? valueName = null, params string[] aliases) where T : struct
    {
        var option = new Option<T?>(name, aliases) { Description = description, HelpName = valueName ?? kind.Placeholder };
        option.CustomParser = result => result.Tokens.Count == 0 ? null : Read<T?>(result, kind, name);
        return option;
    }

    /// <summary>Several numbers (the option repeated, or several values after it).</summary>
    public static Option<T[]> Many<T>(string name, OptionKind kind, string description, T[] defaultValue, string? valueName = null)
    {
        var option = new Option<T[]>(name)
        {
            Description = description,
            HelpName = valueName ?? kind.Placeholder,
            DefaultValueFactory = _ => defaultValue,
            AllowMultipleArgumentsPerToken = true,
        };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return defaultValue;
            var values = new List<T>();
            foreach (var token in result.Tokens)
            {
                try
                {
                    values.Add((T)kind.Parse(token.Value, name));
                }
                catch (ClassifierException e)
                {
                    result.AddError(e.Message);
                    return defaultValue;
                }
            }
            return [.. values];
        };
        return option;
    }

    /// <summary>One of <paramref name="choices"/>, shown as <c>&lt;a|b|c&gt;</c>.</summary>
    public static Option<string> Choice(string name, string description, string[] choices, string defaultValue, params string[] aliases)
    {
        var option = new Option<string>(name, aliases) { Description = description, HelpName = string.Join('|', choices), DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result => CheckChoice(result, name, choices));
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>
    /// One of <paramref name="choices"/>, an enum's values spelled as <see cref="EnumValues"/> spells them, shown as
    /// <c>&lt;a|b|c&gt;</c>: parsed here, once, so the verb reads the value and never its spelling.
    /// </summary>
    public static Option<T> Choice<T>(string name, string description, T[] choices, T defaultValue) where T : struct, Enum
    {
        var names = choices.Select(c => EnumValues.Name(c)).ToArray();
        var option = new Option<T>(name) { Description = description, HelpName = string.Join('|', names), DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return defaultValue;
            if (result.Tokens.FirstOrDefault(t => !names.Contains(t.Value, StringComparer.Ordinal)) is { } wrong)
            {
                result.AddError(ChoiceError(name, names, wrong.Value));
                return defaultValue;
            }
            return EnumValues.Parse<T>(result.Tokens[^1].Value);
        };
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>One of <paramref name="choices"/>, or null when not given.</summary>
    public static Option<string?> OptionalChoice(string name, string description, string[] choices, params string[] aliases)
    {
        var option = new Option<string?>(name, aliases) { Description = description, HelpName = string.Join('|', choices) };
        option.Validators.Add(result => CheckChoice(result, name, choices));
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>
    /// The command-line option of a <c>train</c> option: a switch, or a text value checked by the entry's kind while
    /// parsing and converted by <see cref="Value"/>. It has no default of its own: the defaults are
    /// <see cref="TrainOptions"/>' (or the config file's), and help shows <see cref="TrainOption.ShownDefault"/>.
    /// </summary>
    public static Option FromTable(TrainOption entry)
    {
        var aliases = entry.Aliases.ToArray();
        if (entry.Kind.IsFlag) return new Option<bool>(entry.Flag, aliases) { Description = entry.Help };
        var option = new Option<string>(entry.Flag, aliases) { Description = entry.Help, HelpName = entry.Placeholder };
        if (entry.Kind.Choices is { } choices) option.CompletionSources.Add([.. choices]);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    entry.Kind.Parse(token.Value, entry.Flag);
                }
                catch (ClassifierException e)
                {
                    result.AddError(e.Message);
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>The value of a <see cref="FromTable"/> option that was given.</summary>
    public static object? Value(ParseResult parse, TrainOption entry, Option option) =>
        option is Option<bool> flag ? parse.GetValue(flag) : entry.Kind.Parse(parse.GetValue((Option<string>)option)!, entry.Flag);

    private static T Read<T>(ArgumentResult result, OptionKind kind, string name)
    {
        try
        {
            return (T)kind.Parse(result.Tokens[^1].Value, name);
        }
        catch (ClassifierException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }

    private static void CheckChoice(OptionResult result, string name, string[] choices)
    {
        foreach (var token in result.Tokens)
            if (!choices.Contains(token.Value, StringComparer.Ordinal))
                result.AddError(ChoiceError(name, choices, token.Value));
    }

    private static string ChoiceError(string name, string[] choices, string given) =>
        $"{name} must be one of {string.Join(", ", choices)}; got {OptionKind.Shorten(given)}.";
}
