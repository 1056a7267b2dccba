using System.CommandLine;
using Classifier.Core.Sharding;

namespace Classifier.Cli.Commands;

/// <summary>The <c>--shard K/N|auto|auto/N</c> option of <c>eval</c> and <c>predict</c> (see docs/scale.md).</summary>
internal static class ShardOption
{
    public static Option<string?> Create(string description) =>
        new("--shard") { Description = description, HelpName = "K/N|auto|auto/N" };

    /// <summary>The shard, with <c>auto</c> resolved from this process's environment; null when the option is not given.</summary>
    public static Shard? Read(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } text ? Shard.Parse(text, Environment.GetEnvironmentVariable) : null;
}
