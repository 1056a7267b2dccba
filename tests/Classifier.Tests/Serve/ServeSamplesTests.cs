using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Classifier.Cli;
using Classifier.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Classifier.Tests.Serve;

/// <summary>
/// samples/serve/: the Dockerfile, the Deployment and the InferenceService run command lines classify accepts, probe
/// the endpoints the server has, and give Kubernetes longer to stop the pod than the server takes to drain.
/// (There is no Docker or cluster on the development machines; these checks are what can run here.)
/// </summary>
public sealed partial class ServeSamplesTests
{
    private static string Samples => Path.Combine(Path.GetDirectoryName(SampleData.FashionMini)!, "serve");

    [Theory]
    [InlineData("k8s-deployment.yaml", "/models/fashion")]
    [InlineData("kserve-inferenceservice.yaml", "/mnt/models/model.onnx")]
    public void Manifest_RunsAServeCommandLineClassifyAccepts_AndProbesItsHealthEndpoints(string file, string model)
    {
        var documents = new YamlStream();
        documents.Load(new StringReader(File.ReadAllText(Path.Combine(Samples, file))));
        var root = (YamlMappingNode)documents.Documents[0].RootNode;
        var spec = (YamlMappingNode)root["spec"];
        var pod = file.StartsWith("kserve", StringComparison.Ordinal)
            ? (YamlMappingNode)spec["predictor"]
            : (YamlMappingNode)((YamlMappingNode)spec["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        var args = ((YamlSequenceNode)container["args"]).Select(a => ((YamlScalarNode)a).Value!).ToArray();

        AssertAccepted(args);
        Assert.Equal(model, args[Array.IndexOf(args, "--model") + 1]);
        Assert.Equal("0.0.0.0", args[Array.IndexOf(args, "--host") + 1]);
        var readiness = (YamlMappingNode)((YamlMappingNode)container["readinessProbe"])["httpGet"];
        Assert.Equal("/v2/health/ready", ((YamlScalarNode)readiness["path"]).Value);
        if (root["kind"].ToString() == "Deployment")
        {
            var liveness = (YamlMappingNode)((YamlMappingNode)container["livenessProbe"])["httpGet"];
            Assert.Equal("/v2/health/live", ((YamlScalarNode)liveness["path"]).Value);
            // The pod's grace period covers the preStop pause and the server's 30 s drain.
            Assert.True(int.Parse(((YamlScalarNode)pod["terminationGracePeriodSeconds"]).Value!) > 5 + new Classifier.Cli.Serve.ServeSettings().ShutdownSeconds);
        }
    }

    [Fact]
    public void Dockerfile_RunsClassifyAsPid1_WithAServeCommandLineClassifyAccepts_OnTheExposedPort()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Samples, "Dockerfile"));

        Assert.Contains("ENTRYPOINT [\"/app/classify\"]", dockerfile);
        var cmd = JsonArray().Match(dockerfile);
        Assert.True(cmd.Success, "the Dockerfile has a CMD in exec form");
        var args = System.Text.Json.JsonSerializer.Deserialize<string[]>(cmd.Groups[1].Value)!;
        AssertAccepted(args);
        Assert.Contains($"EXPOSE {args[Array.IndexOf(args, "--port") + 1]}", dockerfile);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile);
    }

    private static void AssertAccepted(string[] args)
    {
        Assert.Equal("serve", args[0]);
        var parse = ClassifyCli.CreateRootCommand().Parse(args);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        Assert.Equal("serve", parse.CommandResult.Command.Name);
    }

    [GeneratedRegex(@"(?m)^CMD (\[.*\])\s*$")]
    private static partial Regex JsonArray();
}
