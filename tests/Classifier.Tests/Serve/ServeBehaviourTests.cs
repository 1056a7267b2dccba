using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Classifier.Tests.Support;

namespace Classifier.Tests.Serve;

/// <summary>
/// What someone running a model server relies on besides answers: the v2 protocol's endpoints and errors, an ONNX
/// file served as its .cls model is, a full queue and a slow answer as 503 with Retry-After, SIGTERM finishing the
/// request in flight, and a command line that cannot run as exit code 2.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class ServeBehaviourTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    private static string[] SomeImages(int perClass) =>
        [.. Directory.GetDirectories(SampleRunFixture.Val).OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*.png").OrderBy(f => f, StringComparer.Ordinal).Take(perClass))
            .Select(Path.GetFullPath)];

    [Fact]
    public async Task OnnxFile_ServedOverV2AndPredict_AnswersAsPredictOnItsModelWithOnnxRuntime()
    {
        var onnx = _dir.Combine("model.onnx");
        var export = await CliRun.Of("export", "--model", sample.Run, "-o", onnx);
        Assert.True(export.ExitCode == 0, export.ToString());
        var files = SomeImages(1);
        var expected = await ServeTestRows.Predict(sample.Run, files, "--engine", "onnx");

        using var server = await ServeProcess.Start("--model", onnx, "--top-k", "3", "--name", "fashion");
        using var http = new HttpClient { BaseAddress = server.Address };

        // Health, server and model metadata as the v2 protocol has them; the class names and preprocessing ride along.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v2/models/fashion/ready")).StatusCode);
        Assert.Equal("classify", JsonNode.Parse(await http.GetStringAsync("v2"))!["name"]!.GetValue<string>());
        var metadata = JsonNode.Parse(await http.GetStringAsync("v2/models/fashion"))!;
        Assert.Equal("classify_onnx", metadata["platform"]!.GetValue<string>());
        Assert.Equal("BYTES", metadata["inputs"]![0]!["datatype"]!.GetValue<string>());
        Assert.Equal(10, metadata["parameters"]!["class_names"]!.AsArray().Count);
        Assert.Equal(28, metadata["parameters"]!["preprocessing"]!["image_size"]!.GetValue<int>());
        var unknown = await http.GetAsync("v2/models/other");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown model 'other'", await unknown.Content.ReadAsStringAsync());

        // Every file in one v2 request: labels and probabilities as predict gives them (6 decimals, predict's rounding).
        var request = new JsonObject
        {
            ["id"] = "batch-1",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "image", ["datatype"] = "BYTES", ["shape"] = new JsonArray(files.Length),
                ["data"] = new JsonArray([.. files.Select(f => (JsonNode)Convert.ToBase64String(File.ReadAllBytes(f)))]),
            }),
            ["parameters"] = new JsonObject { ["top_k"] = 3 },
        };
        var infer = await http.PostAsync("v2/models/fashion/infer", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var inferBody = await infer.Content.ReadAsStringAsync();
        Assert.True(infer.StatusCode == HttpStatusCode.OK, inferBody);
        var response = JsonNode.Parse(inferBody)!;
        Assert.Equal("batch-1", response["id"]!.GetValue<string>());
        var labels = response["outputs"]![0]!;
        var probabilities = response["outputs"]![1]!;
        Assert.Equal([files.Length, 3], labels["shape"]!.AsArray().Select(v => v!.GetValue<int>()));
        for (int i = 0; i < files.Length; i++)
        {
            var want = JsonNode.Parse(expected[files[i]])!;
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(want["top_k"]![j]!["label"]!.GetValue<string>(), labels["data"]![i * 3 + j]!.GetValue<string>());
                Assert.Equal(want["top_k"]![j]!["confidence"]!.GetValue<double>(), probabilities["data"]![i * 3 + j]!.GetValue<double>(), 1e-5);
            }
        }

        // Multipart /predict with two files and a bad part: rows in order, the bad one with its reason, status 200.
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(files[0])), "file", "first.png" },
            { new ByteArrayContent("not an image"u8.ToArray()), "file", "notes.txt" },
            { new ByteArrayContent(File.ReadAllBytes(files[1])), "file", "second.png" },
        };
        var predict = await http.PostAsync("predict?top_k=3", form);
        var rows = (await predict.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
        Assert.Equal(["first.png", "notes.txt", "second.png"], rows.Select(r => r["path"]!.GetValue<string>()));
        Assert.Equal(JsonNode.Parse(expected[files[0]])!["label"]!.GetValue<string>(), rows[0]["label"]!.GetValue<string>());
        Assert.Contains("not an image", rows[1]["error"]!.GetValue<string>());

        // A v2 request with a bad element fails as a whole, naming the element; malformed requests name what is wrong.
        async Task<string> Refused(string body)
        {
            var answer = await http.PostAsync("v2/models/fashion/infer", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        }
        Assert.Contains("element 1: not an image", await Refused($$"""{"inputs":[{"name":"image","datatype":"BYTES","shape":[2],"data":["{{Convert.ToBase64String(File.ReadAllBytes(files[0]))}}","aGVsbG8="]}]}"""));
        Assert.Contains("not base64", await Refused("""{"inputs":[{"name":"image","datatype":"BYTES","shape":[1],"data":["%%%"]}]}"""));
        Assert.Contains("takes BYTES", await Refused("""{"inputs":[{"name":"image","datatype":"FP32","shape":[1],"data":[1.0]}]}"""));
        Assert.Contains("not JSON", await Refused("{"));
        Assert.Contains("shape [3]", await Refused("""{"inputs":[{"name":"image","datatype":"BYTES","shape":[3],"data":["aGVsbG8="]}]}"""));

        server.Terminate();
        Assert.Equal(0, await server.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task FullQueue_And_SlowAnswer_Get503WithRetryAfter_AndSigtermFinishesTheRequestInFlight()
    {
        var image = File.ReadAllBytes(SomeImages(1)[0]);
        // A long batching window keeps a request in flight on purpose: it waits 3 s for others to join its batch.
        using var server = await ServeProcess.Start("--model", sample.Run, "--engine", "torch", "--queue-size", "1",
            "--batch-size", "64", "--max-delay-ms", "3000", "--timeout-ms", "20000");
        using var http = new HttpClient { BaseAddress = server.Address };

        var clock = Stopwatch.StartNew();
        var inFlight = http.PostAsync("predict", new ByteArrayContent(image));
        await Task.Delay(700);
        var busy = await http.PostAsync("predict", new ByteArrayContent(image));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), busy.Headers.RetryAfter?.Delta);
        Assert.Contains("--queue-size", await busy.Content.ReadAsStringAsync());

        // SIGTERM while the first request waits: it is still answered, then the process exits 0.
        server.Terminate();
        var answered = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("\"label\":", await answered.Content.ReadAsStringAsync());
        Assert.Equal(0, await server.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2.5), "the request should have waited out its batching window");
        Assert.Contains(server.ErrorLines, l => l.Contains("stopping; finishing the requests in flight", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnswerSlowerThanTheTimeout_Gets503WithRetryAfter()
    {
        using var server = await ServeProcess.Start("--model", sample.Run, "--engine", "torch",
            "--batch-size", "64", "--max-delay-ms", "3000", "--timeout-ms", "300");
        using var http = new HttpClient { BaseAddress = server.Address };

        var slow = await http.PostAsync("predict", new ByteArrayContent(File.ReadAllBytes(SomeImages(1)[0])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.StatusCode);
        Assert.NotNull(slow.Headers.RetryAfter);
        Assert.Contains("not answered within 300 ms (--timeout-ms)", await slow.Content.ReadAsStringAsync());
        Assert.Contains("classify_errors_total{kind=\"timeout\"} 1", await http.GetStringAsync("metrics"));
    }

    [Theory]
    [InlineData("--port", "70000", "--port 70000")]
    [InlineData("--host", "example.org", "--host 'example.org'")]
    [InlineData("--name", "a/b", "--name 'a/b'")]
    [InlineData("--batch-size", "0", "--batch-size 0")]
    public async Task BadOption_ExitsWithCode2_NamingIt(string option, string value, string named)
    {
        var run = await CliRun.Of("serve", "--model", sample.Run, option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task MissingModel_ExitsWithCode2_NamingIt()
    {
        var run = await CliRun.Of("serve", "--model", _dir.Combine("nothing.onnx"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nothing.onnx", run.Error);
    }

    public void Dispose() => _dir.Dispose();
}
