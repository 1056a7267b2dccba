using System.Diagnostics;
using Classifier.Core.Model.Zoo;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>
/// Packs the CLI as a .NET tool, installs it into a temporary tool path and runs it. Packing copies ~600 MB of
/// libtorch and takes over a minute, so this runs only when CLASSIFY_TEST_TOOL_PACKAGE=1 (.ci/run sets it in a
/// separate step).
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [ToolPackageFact]
    public void ToolPackage_InstalledIntoAToolPath_RunsVersionAndLoadsLibtorch()
    {
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;
        var packages = _dir.Combine("packages");
        var tools = _dir.Combine("tools");

        Run("dotnet", repository, "pack", Path.Combine("src", "Classifier.Cli"), "-c", "Release", "-o", packages);
        var package = Assert.Single(Directory.GetFiles(packages, "classify.*.nupkg"));
        // --source replaces nuget.org, so a same-named package elsewhere can never be picked instead.
        Run("dotnet", repository, "tool", "install", "--tool-path", tools, "--source", packages, "classify");
        var version = Run(Path.Combine(tools, "classify"), _dir.Path, "--version");

        Assert.Contains("TorchSharp 0.107.0", version);
        // "loaded" proves the packed libLibTorchSharp.so is the patched one: the original does not load on Debian 12.
        Assert.Contains("libtorch 2.10.0 (loaded", version);
        Assert.Contains("ONNX Runtime 1.31.1 (loaded)", version);   // what eval and predict run the zoo's networks on
        Assert.True(new FileInfo(package).Length > 50_000_000, "the package carries libtorch");
        // ... but not libtorch's Python binding and test plugins, which classify never loads (Directory.Build.targets).
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
            Assert.DoesNotContain(zip.Entries, e => e.Name is "libtorch_python.so" or "libtorchbind_test.so" or "libjitbackend_test.so");
        // The ImageNet weights of resnet18-cntk travel with the tool, where the installed program looks for them
        // (CntkResNet18.DefaultWeightsPath, relative to its own folder); nothing is downloaded at run time.
        var program = Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "classify.dll", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(program)!, CntkResNet18.WeightsRelativePath)),
            $"{CntkResNet18.WeightsRelativePath} is missing beside {program}");
    }

    private static string Run(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"{program} {string.Join(' ', args)} timed out");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}\n{output.Result}\n{error.Result}");
        return output.Result;
    }
}

/// <summary>A fact that runs only when CLASSIFY_TEST_TOOL_PACKAGE=1.</summary>
public sealed class ToolPackageFactAttribute : FactAttribute
{
    public const string Variable = "CLASSIFY_TEST_TOOL_PACKAGE";

    public ToolPackageFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"Packs ~600 MB of libtorch (over a minute); set {Variable}=1 to run.";
    }
}
