namespace Classifier.Tests.Torch;

/// <summary>
/// Directory.Build.targets leaves libtorch's Python binding and test plugins out of every output folder (and so out of
/// the published folder and the tool package): 35 MB that classify never loads. This test runs from such an
/// output folder.
/// </summary>
public sealed class UnusedLibTorchLibrariesTests
{
    private static readonly string[] Unused =
    [
        "libtorch_python.so", "libshm.so", "libnnapi_backend.so", "libtorchbind_test.so", "libjitbackend_test.so",
        "libbackend_with_compiler.so", "libaoti_custom_ops.so",
    ];

    [Fact]
    public void TheOutputFolder_HoldsTheLibrariesTorchSharpLoads_AndNotLibtorchsPythonAndTestLibraries()
    {
        var folder = AppContext.BaseDirectory;
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet();
        var deps = File.ReadAllText(Directory.GetFiles(folder, "*.deps.json").OrderBy(f => f.Length).First());

        foreach (var library in Unused)
        {
            Assert.DoesNotContain(library, files);
            // The host does not look for what deps.json no longer lists.
            Assert.DoesNotContain(library, deps);
        }
        foreach (var library in new[] { "libLibTorchSharp.so", "libtorch.so", "libtorch_cpu.so", "libc10.so" })
            Assert.Contains(library, files);
        // That libtorch loads and trains from this folder is TorchRuntimeTests' part.
    }
}
