using System.Runtime.InteropServices;
using Classifier.Core;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;

namespace Classifier.Tests.Torch;

public sealed class NativeHeapTests
{
    [Fact]
    public void Configure_WithAnUnknownPolicy_NamesTheVariableAndEveryChoice()
    {
        var e = Assert.Throws<ClassifierException>(() => NativeHeap.Configure("fast"));
        Assert.Contains($"{NativeHeap.EnvironmentVariable}='fast'", e.Message);
        foreach (var choice in new[] { "auto", "system", "plain", "frugal", "keep" })
            Assert.Contains(choice, e.Message);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(" Auto ", null)]
    [InlineData("system", HeapPolicy.HugePages)]
    [InlineData("plain", HeapPolicy.Plain)]
    [InlineData("FRUGAL", HeapPolicy.Frugal)]
    [InlineData("keep", HeapPolicy.Keep)]
    public void Parse_NamesThePolicy_OrLeavesItToTheNetwork(string? setting, HeapPolicy? expected) =>
        Assert.Equal(expected, NativeHeap.Parse(setting));

    [Fact]
    public void TheNetworksOwnPolicies_AreTheMeasuredOnes()
    {
        // docs/performance.md, "The heap policy per network": huge pages make the seed CNN's steps a third cheaper;
        // resnet50 and resnet34 exceed 1.2x PyTorch's peak unless blocks are unmapped when freed; the others fit with glibc's own.
        Assert.Equal(HeapPolicy.HugePages, NetworkRegistry.Get("seed-cnn").Heap);
        Assert.Equal(HeapPolicy.Frugal, NetworkRegistry.Get("resnet50").Heap);
        Assert.Equal(HeapPolicy.Plain, NetworkRegistry.Get("mobilenet_v2").Heap);
    }

    [Fact]
    public void BuildingANetwork_LeavesAPolicyInForce_AndHugePagesInTheNativeEnvironmentWhenChosen()
    {
        using (NetworkRegistry.Get("resnet18").Create(2, 32)) { }

        Assert.NotNull(NativeHeap.Current);
        // libtorch reads its switch with getenv, so it must be in the C library's environment, not only .NET's copy.
        if (OperatingSystem.IsLinux() && NativeHeap.Current is HeapPolicy.HugePages or HeapPolicy.Frugal)
            Assert.Equal("1", NativeVariable(NativeHeap.HugePagesVariable));
    }

    private static string? NativeVariable(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
