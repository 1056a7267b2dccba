using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
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

    [PyTorchTheory]
    [MemberData(nameof(ZooNetworks.All), MemberType = typeof(ZooNetworks))]
    [InlineData(ZooNetworks.ResNet2223)]
    public void PyTorch_LoadsEachExportStrictly_AndGivesTorchSharpsLogits(string architecture) => AssertPyTorchAgrees(architecture);

    [PyTorchTheory]
    [InlineData("mobilenet_v3_small")]
    public void MobileNetV3_WithSqueezeOutputsAbove6_AgreesOnlyWithTheAdjustmentTheFilesCarry(string architecture)
    {
        TorchRuntime.Initialize();
        using var network = ZooNetworks.Create(architecture, Classes);
        // TorchSharp's SE layers clip at 6 (ReLU6) where PyTorch's do not (ReLU): shift the first SE convs' outputs
        // above 6 so the difference shows.
        using (torch.no_grad())
            foreach (var (name, parameter) in network.named_parameters().Where(p => p.name.EndsWith(".fc1.bias", StringComparison.Ordinal)))
                parameter.add_(8);

        var root = AssertPyTorchAgrees(architecture, network);

        double unadjusted = root.GetProperty("pt_max_diff_without_adjustment").GetDouble();
        Assert.True(unadjusted > 1e-3, $"without pytorch_adjustment PyTorch should differ here, but only by {unadjusted:E2}");
    }

    private void AssertPyTorchAgrees(string architecture)
    {
        TorchRuntime.Initialize();
        using var network = ZooNetworks.Create(architecture, Classes, imageSize: Side);
        AssertPyTorchAgrees(architecture, network);
    }

    private JsonElement AssertPyTorchAgrees(string architecture, nn.Module<Tensor, Tensor> network)
    {
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

        var root = JsonDocument.Parse(result).RootElement;
        double pt = root.GetProperty("pt_max_diff").GetDouble(), safetensors = root.GetProperty("safetensors_max_diff").GetDouble();
        Assert.True(pt <= 1e-4, $"{architecture}: PyTorch's logits from the pt file differ from TorchSharp's by {pt:E2}");
        Assert.True(safetensors <= 1e-4, $"{architecture}: PyTorch's logits from the safetensors file differ by {safetensors:E2}");
        Assert.True(root.GetProperty("pt_keys_in_pytorch_order").GetBoolean(), $"{architecture}: the pt file's state dict is not in PyTorch's key order");
        Assert.Equal(13, root.GetProperty("onnx_opset").GetInt32());
        Assert.Equal(["probabilities", "logits"], root.GetProperty("onnx_outputs").EnumerateArray().Select(e => e.GetString()));
        return root;
    }
}

/// <summary>
/// Debian's Python with PyTorch, found once per test run. <c>CLASSIFY_TEST_PYTHON</c> names another interpreter (for
/// example a wrapper that runs <c>/usr/bin/python3 -S</c>, which sees no Debian packages) to see what a machine
/// without them reports.
/// </summary>
internal static class PyTorch
{
    /// <summary>Where Debian's packages put the interpreter they are built for.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>The modules the checks import, each from the Debian package of the same name with python3- before it.</summary>
    public static readonly IReadOnlyList<string> Modules = ["torch", "torchvision", "onnx"];

    /// <summary>The command that installs <see cref="Modules"/> on Debian.</summary>
    public const string InstallCommand = "apt-get install python3-torch python3-torchvision python3-onnx";

    /// <summary>The interpreter the checks run: <c>CLASSIFY_TEST_PYTHON</c> when set, else <see cref="DefaultPython"/>.</summary>
    public static string Python =>
        Environment.GetEnvironmentVariable("CLASSIFY_TEST_PYTHON") is { Length: > 0 } python ? python : DefaultPython;

    /// <summary>Null when <see cref="Python"/> imports every one of <see cref="Modules"/>; otherwise why not.</summary>
    public static readonly Lazy<string?> Missing = new(() => WhyMissing(Python, Modules));

    /// <summary>
    /// Null when <paramref name="python"/> imports every module; otherwise one sentence naming the modules it cannot
    /// import (with the first error) and the command that installs them.
    /// </summary>
    public static string? WhyMissing(string python, IReadOnlyList<string> modules)
    {
        if (!File.Exists(python)) return $"{python} does not exist; install Python and the modules with: {InstallCommand}";
        // Each module on its own, so the message names exactly the ones missing (one missing module does not hide another).
        const string probe = "import importlib, sys\n"
            + "for name in sys.argv[1:]:\n"
            + "    try: importlib.import_module(name)\n"
            + "    except Exception as e: print(name + '\\t' + (str(e).splitlines() or [type(e).__name__])[0])\n";
        try
        {
            var (exitCode, output, error) = Execute(python, ["-c", probe, .. modules]);
            if (exitCode != 0) return $"{python} failed (exit {exitCode}: {error.Trim().Split('\n')[^1]}); check it runs, then: {InstallCommand}";
            var missing = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t', 2)).ToList();
            if (missing.Count == 0) return null;
            return $"{python} cannot import {string.Join(", ", missing.Select(m => m[0]))} ({missing[0][^1].Trim()}); "
                + $"install with: {InstallCommand}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{python} does not start ({e.Message})";
        }
    }

    /// <summary>Runs a script; returns its standard output, or fails the test with its error output.</summary>
    public static string Run(string script, params string[] args)
    {
        var (exitCode, standardOutput, error) = Execute(Python, [script, .. args]);
        Assert.True(exitCode == 0, $"{Path.GetFileName(script)} failed (exit {exitCode}):\n{error}");
        return standardOutput.Trim();
    }

    private static (int ExitCode, string Output, string Error) Execute(string python, IEnumerable<string> args)
    {
        using var process = Process.Start(new ProcessStartInfo(python, args)
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
            Skip = $"Checks exports in PyTorch, but {why}";
    }
}
