using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Model.Zoo;

namespace Classifier.Cli.Commands;

/// <summary><c>classify models</c>: the networks <c>--model</c> accepts, with their sizes, weights and preprocessing.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var format = ValueOptions.Choice("--format", "table for people, json for scripts.", ["table", "json"], "table");
        var command = new Command("models", "List the networks of the model zoo (--model): parameters, default input size, pretrained weights available offline, preprocessing.")
        {
            format,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, _) =>
        {
            var models = ModelCatalog.List();
            if (parse.GetValue(format) == "json")
            {
                var array = new JsonArray(models.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name,
                    ["description"] = m.Description,
                    ["parameters"] = m.Parameters,
                    ["parameters_at_classes"] = m.Classes,
                    ["default_image_size"] = m.DefaultImageSize,
                    ["image_sizes"] = m.AcceptedSizes,
                    ["offline_weights"] = new JsonArray(m.OfflineWeights.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray()),
                    ["head"] = m.Head,
                    ["preprocessing"] = new JsonObject
                    {
                        ["interpolation"] = EnumValues.Name(m.Preprocessing.Interpolation),
                        ["channel_order"] = EnumValues.Name(m.Preprocessing.ChannelOrder),
                        ["scale"] = m.Preprocessing.Scale,
                        ["mean"] = new JsonArray(m.Preprocessing.Mean.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                        ["std"] = new JsonArray(m.Preprocessing.Std.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                    },
                }).ToArray());
                terminal.Out.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }
            int width = Math.Max(5, models.Max(m => m.Name.Length));
            terminal.Out.WriteLine($"{"model".PadRight(width)}  {"params",12}  {"input",5}  {"offline weights",-15}  preprocessing");
            foreach (var m in models)
                terminal.Out.WriteLine($"{m.Name.PadRight(width)}  {m.Parameters,12:N0}  {m.DefaultImageSize,5}  " +
                                       $"{(m.OfflineWeights.Count == 0 ? "-" : string.Join(",", m.OfflineWeights)),-15}  {ModelCatalog.Describe(m.Preprocessing)}");
            terminal.Out.WriteLine();
            terminal.Out.WriteLine($"Parameters at {ModelCatalog.ListedClasses:N0} classes; input in px (--image-size changes it). " +
                                   "Any torchvision state dict of the same architecture loads with --weights FILE; see docs/transfer-learning.md.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
