using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>A model file whose info section was edited and its checksum recomputed.</summary>
public sealed class CraftedModelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> Edits => new()
    {
        { "Preprocessing.ImageSize", "100000", "image size 100000 px is outside 1 to 1024 px" },
        { "Preprocessing.ImageSize", "5800", "image size 5800 px is outside" },
        { "Preprocessing.ImageSize", "1000", "describes a network of" },
        { "Preprocessing.ImageSize", "8", "below the 22 px its network needs" },
        { "Preprocessing.Scale", "-1", "pixel scale -1 is outside" },
        { "Preprocessing.Interpolation", "\"Lanczos\"", "info section is not valid JSON" },
        { "ClassNames", "[\"a\",\"a\"]", "a class name appears twice" },
        { "Epoch", "-5", "epoch -5 is impossible" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task EvalPredictAndExport_OfAModelWithAnOutOfBoundsInfoField_ExitTwoNamingTheField(string field, string value, string expected)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        var model = _dir.Combine("crafted.cls");
        File.WriteAllBytes(model, WithInfoField(File.ReadAllBytes(Path.Combine(run, RunFolder.BestModelName)), field, value));

        var results = new[]
        {
            await CliRun.Of("eval", "--model", model, data),
            await CliRun.Of("predict", "--model", model, data),
            await CliRun.Of("export", "--model", model, "-o", _dir.Combine("out.pt")),
        };

        foreach (var result in results)
        {
            Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.Contains($"Model file '{model}' is damaged", line);
            Assert.Contains(expected, line);
            Assert.DoesNotContain("   at ", result.Error);
        }
    }

    /// <summary>Rewrites one field of the info section (dotted path) and recomputes that section's SHA-256.</summary>
    private static byte[] WithInfoField(byte[] file, string field, string json)
    {
        using var input = new BinaryReader(new MemoryStream(file));
        using var buffer = new MemoryStream();
        using var output = new BinaryWriter(buffer, Encoding.UTF8);
        output.Write(input.ReadBytes(8));
        output.Write(input.ReadInt32());
        int count = input.ReadInt32();
        output.Write(count);
        for (int i = 0; i < count; i++)
        {
            var name = input.ReadString();
            long length = input.ReadInt64();
            input.ReadBytes(32);
            var content = input.ReadBytes((int)length);
            if (name == "info")
            {
                var root = JsonNode.Parse(content)!;
                var parts = field.Split('.');
                var parent = parts[..^1].Aggregate(root, (node, part) => node[part]!);
                parent[parts[^1]] = JsonNode.Parse(json);
                content = Encoding.UTF8.GetBytes(root.ToJsonString());
            }
            output.Write(name);
            output.Write((long)content.Length);
            output.Write(SHA256.HashData(content));
            output.Write(content);
        }
        output.Flush();
        return buffer.ToArray();
    }
}
