using Classifier.Cli.Output;
using Classifier.Core.Prediction;
using Classifier.Core.Serving;
using Microsoft.AspNetCore.Http;

namespace Classifier.Cli.Serve;

/// <summary>
/// <c>POST /predict</c>: one image as the raw body (named by <c>?name=</c>), or any number of file parts of a
/// multipart/form-data body. Answers with the rows <c>classify predict --format json</c> writes, one JSON object per
/// line (path is the part's file name), in the same format; 200 when at least one image was classified, 400 when
/// none could be (each row says why).
/// </summary>
internal static class PredictEndpoint
{
    public static Task Handle(HttpContext context, ImageClassifier classifier, ServeMetrics metrics, ServeSettings settings, ServingModel model) =>
        InferenceRequest.Run(context, metrics, settings, async cancellation =>
        {
            if (InferenceRequest.TopK(context.Request.Query["top_k"], settings, out var topKError) is not { } topK)
            {
                metrics.CountError("bad_request");
                await Responses.Error(context, StatusCodes.Status400BadRequest, topKError!);
                return;
            }
            var images = await ReadImages(context.Request, cancellation);
            context.Items[AccessLog.ImagesItem] = images.Count;
            if (images.Count == 0)
            {
                metrics.CountError("bad_request");
                await Responses.Error(context, StatusCodes.Status400BadRequest,
                    "no image in the request: send one image as the body, or file parts of a multipart/form-data body");
                return;
            }
            var rows = await classifier.Classify(images, topK, cancellation);
            if (rows.All(r => r.Error is not null)) metrics.CountError("bad_image");
            context.Response.StatusCode = rows.All(r => r.Error is not null) ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-ndjson; charset=utf-8";
            var text = new StringWriter();
            var writer = new PredictionWriter(text, OutputFormat.Json, Math.Min(topK, model.ClassNames.Count), model.ClassNames);
            foreach (var row in rows) writer.Write(row);
            await context.Response.WriteAsync(text.ToString(), cancellation);
        });

    private static async Task<List<EncodedImage>> ReadImages(HttpRequest request, CancellationToken cancellation)
    {
        var images = new List<EncodedImage>();
        // Only multipart is a form here: curl --data-binary labels a raw image application/x-www-form-urlencoded.
        if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = await request.ReadFormAsync(cancellation);
            foreach (var file in form.Files)
            {
                using var memory = new MemoryStream();
                await file.CopyToAsync(memory, cancellation);
                images.Add(new EncodedImage(file.FileName.Length > 0 ? file.FileName : file.Name, memory.GetBuffer(), (int)memory.Length));
            }
            return images;
        }
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellation);
        if (body.Length > 0)
            images.Add(new EncodedImage(request.Query["name"].FirstOrDefault() is { Length: > 0 } name ? name : "body", body.GetBuffer(), (int)body.Length));
        return images;
    }
}
