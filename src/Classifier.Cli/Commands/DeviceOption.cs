using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Torch;

namespace Classifier.Cli.Commands;

/// <summary>The <c>--device auto|cpu|cuda</c> option shared by the verbs that run the network.</summary>
internal static class DeviceOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where the network runs: auto (CUDA if this build and machine have it, else CPU), cpu or cuda.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong(EnumValues.Of<ComputeDevice>());
        return option;
    }

    public static ComputeDevice Read(ParseResult parse, Option<string> option) =>
        EnumValues.Parse<ComputeDevice>(parse.GetValue(option)!);
}
