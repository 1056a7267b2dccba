using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Classifier.Tests.Export;

/// <summary>
/// The exports as a PyTorch user meets them: Debian's PyTorch (/usr/bin/python3 with torch, torchvision and onnx) loads
/// each architecture's pt and safetensors state dict strictly into the torchvision network the file names, gives
/// TorchSharp's logits within 1e-4 on the same images, and onnx's checker accepts the ONNX file.
/// Skipped, saying why, when that Python has no PyTorch.
/// </summary>
public sealed class PyTorchCheckTests(ITestOutputHelper output) : IDisposable
{
    private const int Classes = 4;
    private const int Side = 64;
    private const int Batch = 2;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> FastArchitectures => [.. TorchVisionNetworks.Fast.Append("seed-cnn")];

    public static TheoryData<string> SlowArchitectures => [.. TorchVisionNetworks.Slow];

    [PyTorchTheory]
    [MemberData(nameof(FastArchitectures))]
    public void PyTorch_LoadsEachExportStrictly_AndGivesTorchSharpsLogits(string architecture) => AssertPyTorchAgrees(architecture);

    [PyTorchTheory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(SlowArchitectures))]
    public void PyTorch_LoadsEachExportStrictly_AndGivesTorchSharpsLogits_LargerNetworks(string architecture) => AssertPyTorchAgrees(architecture);

    private void AssertPyTorchAgrees(string architecture)
    {
        TorchRuntime.Initialize();
        using var network = architecture == "seed-cnn" ? SeedCnn() : TorchVisionNetworks.Create(architecture, Classes);
        var info = new ModelInfo(architecture, [.. Enumerable.Range(0, Classes).Select(i => $"class {i}")],
            new Preprocessing(Side, Interpolation.Bilinear, 1f / 255), 3, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);

        float[] input, expected;
        using (var scope = NewDisposeScope())
        using (torch.no_grad())
        {
            var x = torch.rand(Batch, 3, Side, Side);
            input = x.data<float>().ToArray();
            expected = network.call(x).data<float>().ToArray();
        }
        var files = new Dictionary<string, Action<Stream>>
        {
            ["model.pt"] = s => PyTorchExport.WritePt(s, network, info),
            ["model.safetensors"] = s => PyTorchExport.WriteSafetensors(s, network, info),
            ["model.onnx"] = s => OnnxExport.Write(s, network, info),
        };
        foreach (var (name, write) in files)
            using (var stream = File.Create(_dir.Combine(name)))
                write(stream);
        File.WriteAllBytes(_dir.Combine("input.f32"), MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
        File.WriteAllBytes(_dir.Combine("expected.f32"), MemoryMarshal.AsBytes(expected.AsSpan()).ToArray());

        var result = PyTorch.Run(Path.Combine(AppContext.BaseDirectory, "Export", "pytorch_check.py"),
            _dir.Combine("model.pt"), _dir.Combine("model.safetensors"), _dir.Combine("model.onnx"),
            _dir.Combine("input.f32"), _dir.Combine("expected.f32"), Batch.ToString(), Side.ToString());
        output.WriteLine($"{architecture}: {result}");

        using var json = JsonDocument.Parse(result);
        var root = json.RootElement;
        double pt = root.GetProperty("pt_max_diff").GetDouble(), safetensors = root.GetProperty("safetensors_max_diff").GetDouble();
        Assert.True(pt <= 1e-4, $"{architecture}: PyTorch's logits from the pt file differ from TorchSharp's by {pt:E2}");
        Assert.True(safetensors <= 1e-4, $"{architecture}: PyTorch's logits from the safetensors file differ by {safetensors:E2}");
        Assert.Equal(13, root.GetProperty("onnx_opset").GetInt32());
        Assert.Equal(["probabilities", "logits"], root.GetProperty("onnx_outputs").EnumerateArray().Select(e => e.GetString()));
    }

    private static KerasRecipeCnn SeedCnn()
    {
        torch.manual_seed(4);
        var network = new KerasRecipeCnn(Classes, Side);
        network.eval();
        return network;
    }
}

/// <summary>Debian's Python with PyTorch, found once per test run.</summary>
internal static class PyTorch
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Null when /usr/bin/python3 imports torch, torchvision and onnx; otherwise why not.</summary>
    public static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} does not exist";
        try
        {
            var (exitCode, _, error) = Execute("-c", "import torch, torchvision, onnx");
            return exitCode == 0 ? null : $"{Python} cannot import torch, torchvision and onnx ({error.Trim().Split('\n')[^1]})";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} does not start ({e.Message})";
        }
    });

    /// <summary>Runs a script; returns its standard output, or fails the test with its error output.</summary>
    public static string Run(string script, params string[] args)
    {
        var (exitCode, standardOutput, error) = Execute([script, .. args]);
        Assert.True(exitCode == 0, $"{Path.GetFileName(script)} failed (exit {exitCode}):\n{error}");
        return standardOutput.Trim();
    }

    private static (int ExitCode, string Output, string Error) Execute(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(Python, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, standardOutput, error.Result);
    }
}

/// <summary>A theory that runs only where Debian's PyTorch is installed, and otherwise says what is missing.</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        if (PyTorch.Missing.Value is { } why)
            Skip = $"Checks exports in PyTorch, but {why}. Install python3-torch, python3-torchvision and python3-onnx (apt-get) to run it.";
    }
}
