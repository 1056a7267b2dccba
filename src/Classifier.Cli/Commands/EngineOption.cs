using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Inference;

namespace Classifier.Cli.Commands;

/// <summary>The <c>--engine auto|torch|onnx</c> option of the verbs that run a trained network (eval, predict, benchmark).</summary>
internal static class EngineOption
{
    public static Option<string> Create() => ValueOptions.Choice("--engine",
        "What runs the network: auto (ONNX Runtime for the zoo's networks on the CPU, where it is the faster engine; " +
        "libtorch for the seed CNN, for fewer pixels than 32 images of 224 px, and on a GPU), torch (libtorch, exactly the figures " +
        "training's validation gave) or onnx.",
        EnumValues.Of<InferenceEngine>(), EnumValues.Name(InferenceEngine.Auto));

    public static InferenceEngine Read(ParseResult parse, Option<string> option) =>
        EnumValues.Parse<InferenceEngine>(parse.GetValue(option)!);
}
