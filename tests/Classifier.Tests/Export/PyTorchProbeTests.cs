using Classifier.Tests.Support;

namespace Classifier.Tests.Export;

/// <summary>
/// When the PyTorch checks cannot run, their skip message names what is missing and the command that installs it.
/// Tested with interpreters that lack the modules (a module that exists nowhere, and <c>python3 -S</c>, which sees
/// none of Debian's packages), so the path a machine without PyTorch takes is tested on one that has it.
/// </summary>
public sealed class PyTorchProbeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnInterpreterThatDoesNotExist_IsNamed_WithTheInstallCommand()
    {
        var why = PyTorch.WhyMissing(_dir.Combine("python3"), PyTorch.Modules);

        Assert.NotNull(why);
        Assert.Contains(_dir.Combine("python3") + " does not exist", why);
        Assert.EndsWith("apt-get install python3-torch python3-torchvision python3-onnx", why);
    }

    [PythonFact]
    public void AModuleThePythonLacks_IsNamed_AndOnlyThatOne()
    {
        var why = PyTorch.WhyMissing(PyTorch.DefaultPython, ["json", "classify_no_such_module", "os"]);

        Assert.NotNull(why);
        Assert.Contains("cannot import classify_no_such_module (No module named 'classify_no_such_module')", why);
        Assert.DoesNotContain("json", why);
        Assert.EndsWith("install with: " + PyTorch.InstallCommand, why);
        Assert.Null(PyTorch.WhyMissing(PyTorch.DefaultPython, ["json", "os"]));
    }

    [PythonFact]
    public void APythonWithoutDebiansPackages_NamesEveryMissingModule_AndTheSkipSaysHowToInstallThem()
    {
        // python3 -S skips site-packages and dist-packages: what a Python without python3-torch & co. sees.
        var wrapper = _dir.Combine("python-without-packages");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {PyTorch.DefaultPython} -S \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var why = PyTorch.WhyMissing(wrapper, PyTorch.Modules);

        Assert.NotNull(why);
        Assert.Contains($"{wrapper} cannot import torch, torchvision, onnx (No module named 'torch')", why);
        Assert.Contains("apt-get install python3-torch python3-torchvision python3-onnx", why);
    }

    [Fact]
    public void TheSkipReason_IsTheProbesAnswer()
    {
        var attribute = new PyTorchTheoryAttribute();

        Assert.Equal(PyTorch.Missing.Value is { } why ? $"Checks exports in PyTorch, but {why}" : null, attribute.Skip);
    }
}

/// <summary>A fact that needs Debian's /usr/bin/python3 (any modules), skipped with the reason where there is none.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!File.Exists(PyTorch.DefaultPython))
            Skip = $"Needs {PyTorch.DefaultPython}; install it with: apt-get install python3";
    }
}
