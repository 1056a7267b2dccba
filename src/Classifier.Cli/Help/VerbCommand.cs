using System.CommandLine;

namespace Classifier.Cli.Help;

/// <summary>
/// A verb with what its help needs beyond the options themselves: option groups (all options under "Options" when
/// there are none) and default texts for options whose default is not the option's own (e.g. <c>train</c>'s come
/// from <see cref="Core.Training.TrainOptionTable"/>).
/// </summary>
internal sealed class VerbCommand(string name, string description) : Command(name, description)
{
    /// <summary>Option groups in help order; options in none of them are listed last, under "Other options".</summary>
    public List<HelpSection> Sections { get; } = [];

    /// <summary>Default shown in help, by option.</summary>
    public Dictionary<Option, string> DefaultTexts { get; } = [];
}
