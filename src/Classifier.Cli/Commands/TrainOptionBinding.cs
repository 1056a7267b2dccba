using System.CommandLine;
using System.CommandLine.Parsing;
using Classifier.Cli.Help;
using Classifier.Core.Options;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// Entries of <see cref="TrainOptionTable"/> bound to one command: the data folder becomes the argument, every other
/// entry an option with its default text, grouped for help as the table groups them; after parsing, it says which
/// entries the command line gave and builds the <see cref="TrainOptions"/> they mean. <c>train</c> and <c>lr-find</c>
/// share it, so an option parses the same in both.
/// </summary>
internal sealed class TrainOptionBinding
{
    private readonly Dictionary<TrainOption, Symbol> _symbols = [];
    private readonly Argument<string?>? _data;

    public TrainOptionBinding(VerbCommand command, IEnumerable<TrainOption> entries)
    {
        Entries = entries.ToList();
        foreach (var entry in Entries)
        {
            if (entry.IsArgument)
            {
                _data = new Argument<string?>(entry.Placeholder) { Description = entry.Help, Arity = ArgumentArity.ZeroOrOne };
                command.Add(_data);
                _symbols[entry] = _data;
                continue;
            }
            var option = ValueOptions.FromTable(entry);
            command.Add(option);
            _symbols[entry] = option;
            if (!entry.Kind.IsFlag) command.DefaultTexts[option] = entry.ShownDefault;
        }
        foreach (var group in Enum.GetValues<OptionGroup>())
            command.Sections.Add(new HelpSection(group.ToString(),
                Entries.Where(e => e.Group == group && !e.IsArgument).Select(e => (Option)_symbols[e]).ToList()));
    }

    /// <summary>The bound entries, in the table's order.</summary>
    public IReadOnlyList<TrainOption> Entries { get; }

    /// <summary>The entries the command line gave (not those left at their defaults).</summary>
    public List<TrainOption> Given(ParseResult parse) => Entries.Where(e => parse.GetResult(_symbols[e]) switch
    {
        OptionResult o => !o.Implicit,
        ArgumentResult a => a.Tokens.Count > 0,
        _ => false,
    }).ToList();

    /// <summary>What the command line says for <paramref name="entry"/>.</summary>
    public object? Value(ParseResult parse, TrainOption entry) =>
        entry.IsArgument ? parse.GetValue(_data!) : ValueOptions.Value(parse, entry, (Option)_symbols[entry]);

    /// <summary>
    /// The options <paramref name="given"/> mean: <c>--config</c>'s file when it is among them, else the defaults, with
    /// every stored entry given on the command line set over it (flags win over the file).
    /// </summary>
    public TrainOptions Options(ParseResult parse, IReadOnlyList<TrainOption> given)
    {
        var options = given.FirstOrDefault(e => e.Name == "config") is { } config && Value(parse, config) is string file
            ? TrainOptionsFile.Read(file)
            : new TrainOptions();
        foreach (var entry in given.Where(e => e.IsStored)) options = entry.Set(options, Value(parse, entry));
        return options;
    }
}
