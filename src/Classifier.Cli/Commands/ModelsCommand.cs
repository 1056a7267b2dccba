using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Model.Zoo;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify models</c>: the networks <c>--model</c> accepts, with their sizes, pretrained weights (and whether each
/// file is in PyTorch's cache) and preprocessing; <c>--fetch</c> fills the cache ahead of time.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var format = ValueOptions.Choice("--format", "table for people, json for scripts.", ["table", "json"], "table");
        var fetch = new Option<string[]>("--fetch")
        {
            Description = "Download pretrained weights into PyTorch's cache ahead of time instead of listing: NETWORK (its DEFAULT, what --weights imagenet takes), NETWORK:SET (resnet50:imagenet1k-v1) or all.",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("models", "List the networks of the model zoo (--model): parameters, default input size, pretrained weights and whether they are cached, preprocessing.")
        {
            format,
            fetch,
        };
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, token) =>
        {
            if (parse.GetValue(fetch) is { Length: > 0 } names) return Fetch(terminal, names, token);
            if (parse.GetResult(fetch) is not null)
                throw new ClassifierException("--fetch needs at least one NAME: a network (resnet18), NETWORK:SET (resnet50:imagenet1k-v1) or all.");
            var models = ModelCatalog.List();
            var cache = new WeightsCache(WeightsFetchSettings.FromEnvironment());
            if (parse.GetValue(format) == "json") WriteJson(terminal, models, cache);
            else WriteTable(terminal, models, cache);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int Fetch(Terminal terminal, string[] names, CancellationToken cancellation)
    {
        var wanted = names.SelectMany(PretrainedWeights.Select).Distinct().ToList();
        var cache = new WeightsCache(WeightsFetchSettings.FromEnvironment());
        var view = new DownloadView(terminal);
        foreach (var weights in wanted)
        {
            var fetched = cache.Fetch(weights, view.Report, cancellation);
            terminal.Out.WriteLine($"{weights.Network}:{weights.Name}  {(fetched.Downloaded ? "downloaded" : "cached")}  {fetched.Path}  sha256 {fetched.Sha256}");
        }
        return ExitCodes.Ok;
    }

    private static void WriteTable(Terminal terminal, IReadOnlyList<ModelListing> models, WeightsCache cache)
    {
        var o = terminal.Out;
        int width = Math.Max(5, models.Max(m => m.Name.Length));
        static string Weights(ModelListing m) =>
            m.OfflineWeights.Count > 0 ? string.Join(",", m.OfflineWeights) + " (built in)"
            : m.TorchVisionWeights.Count > 0 ? string.Join(",", m.TorchVisionWeights.Select(w => w.Name).Order(StringComparer.Ordinal))
            : "-";
        int weightsWidth = Math.Max(7, models.Max(m => Weights(m).Length));
        o.WriteLine($"{"model".PadRight(width)}  {"params",12}  {"input",5}  {"weights".PadRight(weightsWidth)}  preprocessing");
        foreach (var m in models)
            o.WriteLine($"{m.Name.PadRight(width)}  {m.Parameters,12:N0}  {m.DefaultImageSize,5}  {Weights(m).PadRight(weightsWidth)}  {ModelCatalog.Describe(m.Preprocessing)}");
        o.WriteLine();
        o.WriteLine($"Parameters at {ModelCatalog.ListedClasses:N0} classes; input in px (--image-size changes it). " +
                    "Any torchvision state dict of the same architecture loads with --weights FILE; see docs/transfer-learning.md.");
        o.WriteLine();
        o.WriteLine($"torchvision's ImageNet weights (--weights imagenet takes the one marked *; cache: {cache.Settings.CacheDirectory}):");
        var rows = models.SelectMany(m => m.TorchVisionWeights).ToList();
        o.WriteLine($"{"model".PadRight(width)}  {"weights",-15}  {"acc@1",6}  {"acc@5",6}  {"resize/crop",11}  {"file",-32}  cached");
        foreach (var w in rows)
            o.WriteLine($"{w.Network.PadRight(width)}  {(w.Name + (w.IsDefault ? " *" : "")),-15}  {Percent(w.Top1),6}  {Percent(w.Top5),6}  " +
                        $"{$"{w.ResizeSize}/{w.CropSize}",11}  {w.FileName,-32}  {(cache.Contains(w) ? "yes" : "no")}");
        o.WriteLine("Accuracies are torchvision's on ImageNet-1K (resize, centre crop, bilinear). Files not cached are downloaded at the first " +
                    "--weights imagenet, or ahead of time with: classify models --fetch NAME... (docs/pretrained-weights.md).");
    }

    private static void WriteJson(Terminal terminal, IReadOnlyList<ModelListing> models, WeightsCache cache)
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
            ["torchvision_weights"] = new JsonArray(m.TorchVisionWeights.Select(w => (JsonNode)new JsonObject
            {
                ["name"] = w.Name,
                ["torchvision_name"] = w.TorchVisionName,
                ["default"] = w.IsDefault,
                ["url"] = w.Url,
                ["file"] = w.FileName,
                ["sha256_prefix"] = w.HashPrefix,
                ["imagenet_acc1"] = w.Top1,
                ["imagenet_acc5"] = w.Top5,
                ["resize_size"] = w.ResizeSize,
                ["crop_size"] = w.CropSize,
                ["interpolation"] = EnumValues.Name(w.Interpolation),
                ["cache_path"] = cache.PathOf(w),
                ["cached"] = cache.Contains(w),
            }).ToArray()),
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
    }

    private static string Percent(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
