using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Torch;

namespace Classifier.Cli.Commands;

/// <summary>
/// The <c>--precision auto|fp32|bf16</c> option of the verbs that run a trained network (eval, predict, benchmark);
/// train's comes from its option table, with the same choices.
/// </summary>
internal static class PrecisionOption
{
    public static Option<string> Create(string autoMeans) => ValueOptions.Choice("--precision",
        "Arithmetic of libtorch: bf16 runs convolutions and matrix products in bfloat16 (as torch.autocast), fp32 as always; " +
        $"auto is {autoMeans}. Never bf16 by default where the CPU has no AVX512_BF16 or AMX.",
        EnumValues.Of<Precision>(), EnumValues.Name(Precision.Auto));

    /// <summary>What auto means for eval and predict.</summary>
    public const string ModelsOwn = "the precision the model was trained in (see its run's options.json), with the engine --engine auto picks for it";

    public static Precision Read(ParseResult parse, Option<string> option) =>
        EnumValues.Parse<Precision>(parse.GetValue(option)!);
}
