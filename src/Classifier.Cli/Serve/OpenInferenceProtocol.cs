using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Export;
using Classifier.Core.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Classifier.Cli.Serve;

/// <summary>
/// The KServe Open Inference Protocol v2 (REST) endpoints model servers share: health, server and model metadata,
/// model readiness, and inference. The one input, <c>image</c>, is BYTES: each element an encoded image file (PNG,
/// JPEG, ...) as a base64 string, as the protocol's JSON form carries BYTES. The outputs are <c>label</c> (BYTES,
/// [N, k]) and <c>probability</c> (FP32, [N, k]), most probable first. Errors are <c>{"error": "..."}</c>.
/// </summary>
internal static class OpenInferenceProtocol
{
    public const string InputName = "image";
    public const string LabelOutput = "label";
    public const string ProbabilityOutput = "probability";
    public const string Version = "1";

    public static void Map(WebApplication app, ServingModel model, ImageClassifier classifier, ServeMetrics metrics,
        ServeSettings settings, Func<bool> ready)
    {
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }));
        app.MapGet("/v2/health/ready", () => ready() ? Results.Json(new { ready = true }) : Results.Json(new { ready = false }, statusCode: 503));
        app.MapGet("/v2", () => Results.Text(new JsonObject
        {
            ["name"] = "classify",
            ["version"] = ToolInfo.Version,
            ["extensions"] = new JsonArray(),
        }.ToJsonString(), "application/json"));

        foreach (var prefix in new[] { "/v2/models/{name}", "/v2/models/{name}/versions/{version}" })
        {
            app.MapGet(prefix, (HttpContext context, string name) => Known(context, name, settings,
                () => Responses.Json(context, Metadata(model, settings))));
            app.MapGet(prefix + "/ready", (HttpContext context, string name) => Known(context, name, settings,
                () => ready()
                    ? Responses.Json(context, new JsonObject { ["name"] = settings.ModelName, ["ready"] = true })
                    : Responses.Error(context, StatusCodes.Status503ServiceUnavailable, "the server is stopping")));
            app.MapPost(prefix + "/infer", (HttpContext context, string name) => Known(context, name, settings,
                () => InferenceRequest.Run(context, metrics, settings, cancellation => Infer(context, model, classifier, metrics, settings, cancellation))));
        }
    }

    /// <summary>404 for a model name this server does not hold; else <paramref name="answer"/>.</summary>
    private static Task Known(HttpContext context, string name, ServeSettings settings, Func<Task> answer)
    {
        if (context.Request.RouteValues.TryGetValue("version", out var version) && version as string != Version)
            return Responses.Error(context, StatusCodes.Status404NotFound, $"model '{name}' has no version '{version}'; this server has version {Version}");
        return name == settings.ModelName
            ? answer()
            : Responses.Error(context, StatusCodes.Status404NotFound, $"unknown model '{name}'; this server has '{settings.ModelName}'");
    }

    /// <summary>The model metadata response, with the class names and preprocessing as parameters.</summary>
    public static JsonObject Metadata(ServingModel model, ServeSettings settings) => new()
    {
        ["name"] = settings.ModelName,
        ["versions"] = new JsonArray(Version),
        ["platform"] = $"classify_{EnumValues.Name(model.Engine)}",
        ["inputs"] = new JsonArray(new JsonObject { ["name"] = InputName, ["datatype"] = "BYTES", ["shape"] = new JsonArray(-1) }),
        ["outputs"] = new JsonArray(
            new JsonObject { ["name"] = LabelOutput, ["datatype"] = "BYTES", ["shape"] = new JsonArray(-1, -1) },
            new JsonObject { ["name"] = ProbabilityOutput, ["datatype"] = "FP32", ["shape"] = new JsonArray(-1, -1) }),
        ["parameters"] = new JsonObject
        {
            ["architecture"] = model.Architecture,
            ["class_names"] = new JsonArray([.. model.ClassNames.Select(n => (JsonNode)n)]),
            ["preprocessing"] = JsonNode.Parse(ExportMetadata.PreprocessingJson(model.Preprocessing)),
            ["test_time_augmentation"] = EnumValues.Name(model.TestTimeAugmentation),
            ["top_k"] = settings.TopK,
            ["max_batch_size"] = settings.BatchSize,
        },
    };

    private static async Task Infer(HttpContext context, ServingModel model, ImageClassifier classifier, ServeMetrics metrics,
        ServeSettings settings, CancellationToken cancellation)
    {
        JsonNode? request;
        try
        {
            request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellation);
        }
        catch (JsonException e)
        {
            await BadRequest($"the body is not JSON ({e.Message})");
            return;
        }
        if (Parse(request, settings, out var images, out int topK, out var wanted, out var id) is { } problem)
        {
            await BadRequest(problem);
            return;
        }
        context.Items[AccessLog.ImagesItem] = images.Count;
        var rows = await classifier.Classify(images, topK, cancellation);
        if (rows.Select((r, i) => (r, i)).FirstOrDefault(p => p.r.Error is not null) is { r: not null } bad)
        {
            // The protocol answers a request as a whole: one unusable element fails it, naming the element.
            await BadRequest($"input '{InputName}' element {bad.i}: {bad.r.Error}");
            return;
        }
        int k = Math.Min(topK, model.ClassNames.Count);
        var outputs = new JsonArray();
        if (wanted.Contains(LabelOutput))
            outputs.Add(new JsonObject
            {
                ["name"] = LabelOutput, ["datatype"] = "BYTES", ["shape"] = new JsonArray(rows.Length, k),
                ["data"] = new JsonArray([.. rows.SelectMany(r => r.Top).Select(t => (JsonNode)t.Label)]),
            });
        if (wanted.Contains(ProbabilityOutput))
            outputs.Add(new JsonObject
            {
                ["name"] = ProbabilityOutput, ["datatype"] = "FP32", ["shape"] = new JsonArray(rows.Length, k),
                ["data"] = new JsonArray([.. rows.SelectMany(r => r.Top).Select(t => (JsonNode)t.Probability)]),
            });
        var response = new JsonObject { ["model_name"] = settings.ModelName, ["model_version"] = Version };
        if (id is not null) response["id"] = id;
        response["outputs"] = outputs;
        await Responses.Json(context, response);

        Task BadRequest(string message)
        {
            metrics.CountError("bad_request");
            return Responses.Error(context, StatusCodes.Status400BadRequest, message);
        }
    }

    /// <summary>Reads an inference request; returns the problem with it, or null.</summary>
    private static string? Parse(JsonNode? request, ServeSettings settings, out List<EncodedImage> images, out int topK,
        out HashSet<string> wanted, out string? id)
    {
        images = [];
        topK = settings.TopK;
        wanted = [LabelOutput, ProbabilityOutput];
        id = null;
        if (request is not JsonObject body) return "the body must be a JSON object with \"inputs\"";
        if (body["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var idText)) id = idText;
        if (body["parameters"]?["top_k"] is JsonNode topKNode)
        {
            if (topKNode is not JsonValue v || !v.TryGetValue<int>(out topK) || topK < 1) return "parameters.top_k must be a whole number of 1 or more";
        }
        if (body["outputs"] is JsonArray requested)
        {
            wanted = [];
            foreach (var output in requested)
            {
                var name = output?["name"]?.GetValueKind() == JsonValueKind.String ? output["name"]!.GetValue<string>() : null;
                if (name is not (LabelOutput or ProbabilityOutput)) return $"outputs: unknown output '{name}'; this model has '{LabelOutput}' and '{ProbabilityOutput}'";
                wanted.Add(name);
            }
        }
        if (body["inputs"] is not JsonArray { Count: 1 } inputs || inputs[0] is not JsonObject input)
            return $"\"inputs\" must hold exactly one input, '{InputName}' (BYTES: base64 encoded image files)";
        if (input["name"]?.GetValueKind() != JsonValueKind.String || input["name"]!.GetValue<string>() != InputName)
            return $"unknown input '{input["name"]}'; this model's input is '{InputName}'";
        if (input["datatype"]?.GetValueKind() != JsonValueKind.String || input["datatype"]!.GetValue<string>() != "BYTES")
            return $"input '{InputName}' has datatype {input["datatype"]?.ToJsonString() ?? "(none)"}; it takes BYTES (base64 encoded image files)";
        if (input["data"] is not JsonArray data || data.Count == 0)
            return $"input '{InputName}' has no \"data\": give a list of base64 encoded image files";
        if (input["shape"] is JsonArray shape)
        {
            long elements = 1;
            foreach (var dimension in shape)
            {
                if (dimension is not JsonValue d || !d.TryGetValue<long>(out long size) || size < 0) return $"input '{InputName}' has a shape that is not a list of sizes";
                elements *= size;
            }
            if (elements != data.Count) return $"input '{InputName}' has shape {shape.ToJsonString()} but {data.Count} element(s) of data";
        }
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i]?.GetValueKind() != JsonValueKind.String) return $"input '{InputName}' element {i} is not a string (a base64 encoded image file)";
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(data[i]!.GetValue<string>());
            }
            catch (FormatException)
            {
                return $"input '{InputName}' element {i} is not base64";
            }
            images.Add(new EncodedImage($"{InputName}[{i}]", bytes, bytes.Length));
        }
        return null;
    }
}
