using Classifier.Core.Torch;
using TorchSharp;

namespace Classifier.Tests.Torch;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Torch_LoadsInTheTestProcess_AndRunsAForwardAndBackwardPass()
    {
        TorchRuntime.Initialize();
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(3, 2).requires_grad_(true);
        var x = torch.tensor(new float[] { 1, 2, 3 }).reshape(1, 3);
        var y = x.matmul(w).sum();   // 2 * (1 + 2 + 3)
        y.backward();
        Assert.Equal(12f, y.item<float>());
        Assert.Equal(new float[] { 1, 1, 2, 2, 3, 3 }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void LoaderReason_PicksTheDynamicLoaderLine_FromTorchSharpsNestedMessages()
    {
        var inner = new DllNotFoundException(
            "Unable to load shared library 'LibTorchSharp' or one of its dependencies.\n" +
            "/x/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/libLibTorchSharp.so)");
        var outer = new TypeInitializationException("TorchSharp.torch",
            new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64", inner));

        var reason = TorchRuntime.LoaderReason(outer);

        Assert.Contains("GLIBCXX_3.4.32' not found", reason);
        Assert.DoesNotContain("\n", reason);
    }
}
