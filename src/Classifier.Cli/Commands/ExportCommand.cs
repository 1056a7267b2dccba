using System.CommandLine;
using Classifier.Core;
using Classifier.Core.Export;

namespace Classifier.Cli.Commands;

/// <summary><c>classify export --model RUN --format pt|safetensors|onnx -o FILE</c>: the model for PyTorch or ONNX Runtime.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Run folder (uses its best.cls) or model file.", Required = true, HelpName = "RUN_DIR|MODEL_FILE" };
        var format = ValueOptions.OptionalChoice("--format", "pt (torch.load), safetensors or onnx. Default: from the -o file's extension.", [.. EnumValues.Of<ExportFormat>()], "-f");
        var output = new Option<string>("--output", "-o") { Description = "File to write (.pt, .safetensors or .onnx).", Required = true, HelpName = "FILE" };
        var command = new Command("export", "Export a trained model for PyTorch (pt, safetensors) or ONNX Runtime (onnx), with its class names and preprocessing.")
        {
            model, format, output,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var target = parse.GetValue(output)!;
            var chosen = parse.GetValue(format) is { } name
                ? EnumValues.Parse<ExportFormat>(name)
                : ModelExport.FormatOf(target) ?? throw new ClassifierException(
                    $"-o '{target}': cannot tell the format from the extension; give --format pt, safetensors or onnx.");
            var written = ModelExport.Run(parse.GetValue(model)!, chosen, target);
            terminal.Out.WriteLine($"Wrote {written} ({EnumValues.Name(chosen)}, {new FileInfo(written).Length:N0} bytes)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
