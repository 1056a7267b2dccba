using System.CommandLine;
using Classifier.Cli.Output;
using Classifier.Core.Options;

namespace Classifier.Cli.Commands;

/// <summary>
/// The options that <c>eval</c>, <c>predict</c> and <c>benchmark</c> share, each described once here (as train's are
/// in <see cref="Core.Training.TrainOptionTable"/>); a verb takes them with its own default and lists them in its own
/// help order. <c>--device</c>, <c>--engine</c>, <c>--precision</c>, <c>--tta</c> and <c>--shard</c> have their own
/// classes beside this one.
/// </summary>
internal static class InferenceOptions
{
    /// <summary><c>--batch-size</c>, <c>-b</c>: images per forward pass, unless <paramref name="description"/> says otherwise.</summary>
    public static Option<int> BatchSize(int defaultValue, string description = "Images per forward pass.") =>
        ValueOptions.Number("--batch-size", OptionKind.Int, description, defaultValue, "N", "-b");

    /// <summary><c>--threads</c>: libtorch's threads.</summary>
    public static Option<int> Threads(int defaultValue) =>
        ValueOptions.Number("--threads", OptionKind.Int, "libtorch threads (0 = one per core).", defaultValue);

    /// <summary><c>--max-pixels</c>: the largest image file decoded.</summary>
    public static Option<long> MaxPixels(long defaultValue) =>
        ValueOptions.Number("--max-pixels", OptionKind.Long, "Refuse image files larger than this many pixels.", defaultValue);

    /// <summary><c>--strict</c>; <paramref name="otherwise"/> is what the verb does with an unreadable image without it.</summary>
    public static Option<bool> Strict(string otherwise) =>
        new("--strict") { Description = $"Stop at the first image that cannot be read, naming it, instead of {otherwise}." };

    /// <summary><c>--format</c>, one of <paramref name="formats"/>, table by default.</summary>
    public static Option<OutputFormat> Format(string description, params OutputFormat[] formats) =>
        ValueOptions.Choice("--format", description, formats, OutputFormat.Table);
}
