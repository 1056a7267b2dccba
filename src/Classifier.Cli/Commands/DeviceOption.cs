using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Torch;

namespace Classifier.Cli.Commands;

/// <summary>The <c>--device auto|cpu|cuda</c> option shared by the verbs that run the network.</summary>
internal static class DeviceOption
{
    public static Option<string> Create()
    {
        var entry = Core.Training.TrainOptionTable.Get("device");
        return ValueOptions.Choice(entry.Flag, entry.Help, [.. entry.Kind.Choices!], entry.ShownDefault);
    }

    public static ComputeDevice Read(ParseResult parse, Option<string> option) =>
        EnumValues.Parse<ComputeDevice>(parse.GetValue(option)!);
}
