using Classifier.Core.Options;

namespace Classifier.Core.Training;

/// <summary>
/// The one description of a <c>classify train</c> option (see <see cref="TrainOptionTable"/>): its name (the flag
/// without dashes, which is also its key in <c>--config</c> files and <c>options.json</c>), type, default, help group,
/// help text and whether <c>--resume</c> accepts it. An option bound to a <see cref="TrainOptions"/> property is
/// stored in <c>options.json</c>; an unbound one (<c>--config</c>, <c>--resume</c>, <c>--log-format</c>, ...) only
/// steers the command.
/// </summary>
public sealed record TrainOption
{
    private readonly Func<TrainOptions, object?>? _get;
    private readonly Func<TrainOptions, object?, TrainOptions>? _set;

    internal TrainOption(string name, OptionGroup group, OptionKind kind, string help,
        Func<TrainOptions, object?>? get, Func<TrainOptions, object?, TrainOptions>? set)
    {
        Name = name;
        Group = group;
        Kind = kind;
        Help = help;
        _get = get;
        _set = set;
    }

    /// <summary>Key in config files and <c>options.json</c>; the flag is <c>--</c> and this name.</summary>
    public string Name { get; }

    /// <summary>Help section.</summary>
    public OptionGroup Group { get; }

    /// <summary>Type of the value.</summary>
    public OptionKind Kind { get; }

    /// <summary>One-sentence help text.</summary>
    public string Help { get; }

    /// <summary>Short aliases (<c>-e</c>, <c>--lr</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Placeholder of the value in help (<c>N</c>, <c>DIR</c>); the kind's own when null.</summary>
    public string? ValueName { get; init; }

    /// <summary>True when <c>--resume</c> accepts this option (the run's own options stay otherwise).</summary>
    public bool Resumable { get; init; }

    /// <summary>True for the positional DATA_DIR argument rather than a flag.</summary>
    public bool IsArgument { get; init; }

    /// <summary>What help shows as the default when the value alone would not say it (e.g. "never" for null).</summary>
    public string? DefaultText { get; init; }

    /// <summary>The flag as typed (<c>--epochs</c>), or the argument's placeholder (<c>DATA_DIR</c>).</summary>
    public string Flag => IsArgument ? Placeholder : "--" + Name;

    /// <summary>The value placeholder shown in help.</summary>
    public string Placeholder => ValueName ?? Kind.Placeholder;

    /// <summary>True when the value is a <see cref="TrainOptions"/> property, written to <c>options.json</c>.</summary>
    public bool IsStored => _get is not null;

    /// <summary>The default as help shows it.</summary>
    public string ShownDefault =>
        DefaultText ?? (IsStored && Get(new TrainOptions()) is { } value ? Kind.Format(value) : "none");

    /// <summary>The value in <paramref name="options"/>.</summary>
    public object? Get(TrainOptions options) =>
        (_get ?? throw new InvalidOperationException($"{Flag} is not a stored option."))(options);

    /// <summary><paramref name="options"/> with this option set to <paramref name="value"/> (of the kind's type, or null).</summary>
    public TrainOptions Set(TrainOptions options, object? value) =>
        (_set ?? throw new InvalidOperationException($"{Flag} is not a stored option."))(options, value);

    /// <inheritdoc/>
    public override string ToString() => Flag;
}
