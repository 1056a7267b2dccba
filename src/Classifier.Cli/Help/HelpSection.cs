using System.CommandLine;

namespace Classifier.Cli.Help;

/// <summary>A titled group of options in a verb's help.</summary>
internal sealed record HelpSection(string Title, IReadOnlyList<Option> Options);
