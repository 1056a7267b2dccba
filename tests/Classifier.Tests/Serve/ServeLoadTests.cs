using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Classifier.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Serve;

/// <summary>
/// <c>classify serve</c> under concurrent load from loopback clients, with good and hostile images mixed: every
/// good image answered 200 with the row <c>classify predict</c> gives the same file (see <see cref="ServeTestRows.SameAnswer"/>), every bad one a 4xx
/// with a reason, no 5xx, memory flat, the metrics counting what happened.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class ServeLoadTests(SampleRunFixture sample) : IDisposable
{
    private const int Clients = 16;
    private const int RequestsPerClient = 50;
    private const long MaxRequestBytes = 64 * 1024;

    private readonly TempDir _dir = new();

    [Fact]
    public async Task SixteenClients_MixedGoodAndBadImages_GoodAnswersMatchPredict_BadOnes4xx_NoServerErrors_MemoryFlat()
    {
        var good = Directory.GetDirectories(SampleRunFixture.Val).OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*.png").OrderBy(f => f, StringComparer.Ordinal).Take(2)).ToArray();
        var expected = await PredictRows(good, "--engine", "torch");
        var bad = BadImages();

        using var server = await ServeProcess.Start("--model", sample.Run, "--top-k", "3", "--engine", "torch",
            "--batch-size", "8", "--max-delay-ms", "5", "--max-pixels", "1000000", "--max-request-bytes", MaxRequestBytes.ToString());
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };

        var failures = new ConcurrentQueue<string>();
        int goodAnswered = 0, badAnswered = 0;
        double warmMiB = 0;
        async Task Client(int client)
        {
            for (int r = 0; r < RequestsPerClient; r++)
            {
                int n = client * RequestsPerClient + r;
                if (n % 4 == 3)
                {
                    var (name, bytes, reason) = bad[n / 4 % bad.Length];
                    using var response = await http.PostAsync($"predict?name={name}", new ByteArrayContent(bytes));
                    var body = await response.Content.ReadAsStringAsync();
                    if ((int)response.StatusCode is < 400 or >= 500 || !body.Contains(reason, StringComparison.Ordinal))
                        failures.Enqueue($"bad {name}: {(int)response.StatusCode} {body}");
                    else Interlocked.Increment(ref badAnswered);
                }
                else
                {
                    var file = good[n % good.Length];
                    using var response = await http.PostAsync($"predict?name={Path.GetFileName(file)}&top_k=3", new ByteArrayContent(File.ReadAllBytes(file)));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK) failures.Enqueue($"good {file}: {(int)response.StatusCode} {body}");
                    else if (!ServeTestRows.SameAnswer(Answer(JsonNode.Parse(body)!), expected[Path.GetFullPath(file)])) failures.Enqueue($"good {file}: {body} differs from predict's {expected[Path.GetFullPath(file)]}");
                    else Interlocked.Increment(ref goodAnswered);
                }
                if (client == 0 && r == 10) warmMiB = server.ResidentMiB();
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))));
        double endMiB = server.ResidentMiB();

        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(10)));
        Assert.Equal(Clients * RequestsPerClient * 3 / 4, goodAnswered);
        Assert.Equal(Clients * RequestsPerClient / 4, badAnswered);
        // Flat: 800 requests may not grow the process by more than a few batches' buffers.
        Assert.True(endMiB - warmMiB < 120, $"resident memory grew from {warmMiB:0} MiB to {endMiB:0} MiB");

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains($"classify_http_requests_total{{route=\"/predict\",method=\"POST\",code=\"200\"}} {goodAnswered}", metrics);
        Assert.Contains($"classify_images_total{{result=\"classified\"}} {goodAnswered}", metrics);
        Assert.DoesNotContain("code=\"5", metrics);
        Assert.Matches(@"classify_batch_images_bucket\{le=""8""\} \d+", metrics);
        // One access-log line per request, path and status included.
        Assert.Equal(Clients * RequestsPerClient, server.ErrorLines.Count(l => l.Contains("\"POST /predict\"", StringComparison.Ordinal)));

        server.Terminate();
        Assert.Equal(0, await server.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    /// <summary>Bad inputs and a text each answer must contain.</summary>
    private (string Name, byte[] Bytes, string Reason)[] BadImages()
    {
        var goodPng = File.ReadAllBytes(BadFiles.GoodPng(_dir.Combine("good.png"), seed: 3));
        var bomb = TestImages.Write(_dir.Combine("bomb.png"), 3000, 3000, (_, _) => new L8(0));   // 9 MP of zeros: a few KB
        var random = new byte[5000];
        new Random(7).NextBytes(random);
        return
        [
            ("truncated.png", goodPng[..(goodPng.Length / 2)], "\"error\":\""),
            ("random.bin", random, "not an image"),
            ("notes.txt", "just some text, not pixels"u8.ToArray(), "not an image"),
            ("bomb.png", File.ReadAllBytes(bomb), "over the limit"),
            ("header-bomb.png", File.ReadAllBytes(BadFiles.HugeHeaderPng(_dir.Combine("header.png"))), "over the limit"),
            ("huge-body.bin", new byte[MaxRequestBytes * 2], "--max-request-bytes"),
        ];
    }

    private Task<Dictionary<string, string>> PredictRows(string[] files, params string[] extra) =>
        ServeTestRows.Predict(sample.Run, files, extra);

    private static string Answer(JsonNode row) => ServeTestRows.Answer(row);

    public void Dispose() => _dir.Dispose();
}
