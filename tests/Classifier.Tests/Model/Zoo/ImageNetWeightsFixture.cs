using Classifier.Core.Model.Pretrained;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using TorchSharp;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The installed ImageNet weights of resnet18-cntk, read once per test class (64 MB): the raw ONNX graph and the
/// imported torchvision-layout backbone.
/// </summary>
public sealed class ImageNetWeightsFixture : IDisposable
{
    private readonly Lazy<OnnxGraph> _graph = new(() => OnnxReader.Read(CntkResNet18.DefaultWeightsPath));
    private readonly Lazy<Dictionary<string, torch.Tensor>> _backbone = new(() =>
    {
        TorchRuntime.Initialize();
        var backbone = CntkResNet18.ReadImageNetBackbone(CntkResNet18.DefaultWeightsPath);
        // First read inside some test's dispose scope, but shared by the class's tests: the fixture disposes them.
        foreach (var weight in backbone.Values) weight.DetachFromDisposeScope();
        return backbone;
    });

    internal OnnxGraph Graph => _graph.Value;

    public Dictionary<string, torch.Tensor> Backbone => _backbone.Value;

    public void Dispose()
    {
        if (!_backbone.IsValueCreated) return;
        foreach (var weight in _backbone.Value.Values) weight.Dispose();
    }
}
