using System.Runtime.InteropServices;
using Classifier.Core;
using Classifier.Core.Torch;

namespace Classifier.Tests.Torch;

public sealed class NativeHeapTests
{
    [Fact]
    public void Configure_WithAnUnknownPolicy_NamesTheVariableAndBothChoices()
    {
        var e = Assert.Throws<ClassifierException>(() => NativeHeap.Configure("fast"));
        Assert.Contains($"{NativeHeap.EnvironmentVariable}='fast'", e.Message);
        Assert.Contains("system", e.Message);
        Assert.Contains("keep", e.Message);
    }

    [Fact]
    public void TheDefaultPolicy_SetsLibtorchsHugePageSwitch_InTheNativeEnvironment_WithoutOverridingTheUsers()
    {
        if (!OperatingSystem.IsLinux()) return;
        // libtorch reads the variable with getenv, so it must be in the C library's environment, not only .NET's copy.
        var before = NativeVariable(NativeHeap.HugePagesVariable);

        NativeHeap.Configure(null);

        Assert.Equal(before ?? "1", NativeVariable(NativeHeap.HugePagesVariable));
    }

    private static string? NativeVariable(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
