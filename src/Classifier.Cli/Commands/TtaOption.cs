using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Model;

namespace Classifier.Cli.Commands;

/// <summary>The <c>--tta none|horizontal_flip</c> option of <c>eval</c> and <c>predict</c>; unset means the model's own.</summary>
internal static class TtaOption
{
    public static Option<string?> Create()
    {
        return ValueOptions.OptionalChoice("--tta",
            "Test-time augmentation: none, or horizontal_flip (average the logits of each image and its mirror image). Default: what the model was trained with.",
            EnumValues.Of<TestTimeAugmentation>());
    }

    public static TestTimeAugmentation? Read(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } text ? EnumValues.Parse<TestTimeAugmentation>(text) : null;
}
