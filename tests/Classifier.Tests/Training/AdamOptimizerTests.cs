using Classifier.Core.Torch;
using Classifier.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Training;

public sealed class AdamOptimizerTests
{
    public AdamOptimizerTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Steps_MatchLibtorchsAdamAndAdamW(double weightDecay)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var ours = nn.Linear(4, 3);
        using var reference = nn.Linear(4, 3);
        reference.load_state_dict(ours.state_dict());
        using var adam = new AdamOptimizer(ours.parameters(), 0.01, eps: 1e-7, weightDecay: weightDecay);
        using optim.Optimizer expected = weightDecay > 0
            ? optim.AdamW(reference.parameters(), 0.01, eps: 1e-7, weight_decay: weightDecay)
            : (optim.Optimizer)optim.Adam(reference.parameters(), 0.01, eps: 1e-7);
        var x = randn(8, 4);
        var y = randn(8, 3);
        for (int step = 0; step < 5; step++)
        {
            adam.ZeroGrad();
            nn.functional.mse_loss(ours.forward(x), y).backward();
            adam.Step();
            expected.zero_grad();
            nn.functional.mse_loss(reference.forward(x), y).backward();
            expected.step();
        }
        Assert.True(ours.weight.allclose(reference.weight, rtol: 1e-5, atol: 1e-7));
        Assert.True(ours.bias!.allclose(reference.bias!, rtol: 1e-5, atol: 1e-7));
        Assert.Equal(5, adam.Steps);
    }

    [Fact]
    public void SaveThenLoad_RestoresTheMoments_SoTheNextStepIsTheSame()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var a = nn.Linear(3, 2);
        using var b = nn.Linear(3, 2);
        b.load_state_dict(a.state_dict());
        using var first = new AdamOptimizer(a.parameters(), 0.05);
        var x = randn(4, 3);
        first.ZeroGrad();
        a.forward(x).sum().backward();
        first.Step();
        b.load_state_dict(a.state_dict());
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) first.Save(writer);
        using var second = new AdamOptimizer(b.parameters(), 0.05);
        buffer.Position = 0;
        using (var reader = new BinaryReader(buffer)) second.Load(reader);

        foreach (var (net, opt) in new[] { (a, first), (b, second) })
        {
            opt.ZeroGrad();
            net.forward(x).sum().backward();
            opt.Step();
        }
        Assert.True(a.weight.equal(b.weight).all().item<bool>());
        Assert.Equal(2, second.Steps);
    }
}
