using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Export;
using Classifier.Tests.Support;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Pretrained;

/// <summary>
/// Files PyTorch itself writes in the legacy format (<c>_use_new_zipfile_serialization=False</c>, as torchvision's
/// oldest weights are): Debian's PyTorch saves a torchvision network's random state dict both ways, and classify loads
/// the legacy file into its own network with every tensor equal to what the zip copy gives (which torch.load reads back
/// as the same dict; the script checks that). torch.save's default pickle protocol 2, and 4 (given with
/// <c>pickle_protocol=4</c>: frames, memoize and stack globals). Skipped, saying why, where that Python has no PyTorch.
/// </summary>
public sealed class LegacyPthTorchTests : IDisposable
{
    private const int Classes = 5;
    private readonly TempDir _dir = new();

    public LegacyPthTorchTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    private const string Script = """
        import sys, torch, torchvision
        name, classes, protocol, legacy, zipped = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(num_classes=classes)
        # Running statistics away from their 0/1 start, so a mixed-up buffer shows.
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1); m.running_var.uniform_(0.5, 2); m.num_batches_tracked.fill_(7)
        sd = model.state_dict()
        torch.save(sd, legacy, pickle_protocol=protocol, _use_new_zipfile_serialization=False)
        torch.save(sd, zipped)
        back = torch.load(legacy)
        assert list(back) == list(sd) and all(torch.equal(back[k], sd[k]) for k in sd)
        with open(legacy, 'rb') as f: assert f.read(2) != b'PK'
        print(len(sd))
        """;

    [PyTorchTheory]
    [InlineData("mobilenet_v2", 2)]
    [InlineData("resnet18", 2)]
    [InlineData("mobilenet_v3_small", 4)]
    public void LegacyFileFromPyTorch_LoadsEveryTensorAsTheZipCopyDoes(string network, int pickleProtocol)
    {
        var script = _dir.Combine("save.py");
        File.WriteAllText(script, Script);
        var legacy = _dir.Combine($"{network}-legacy.pth");
        var zipped = _dir.Combine($"{network}-zip.pth");
        int count = int.Parse(PyTorch.Run(script, network, Classes.ToString(), pickleProtocol.ToString(), legacy, zipped));
        var spec = NetworkRegistry.Get(network);
        manual_seed(1);
        using var fromLegacy = spec.Create(Classes, 32);
        manual_seed(2);
        using var fromZip = spec.Create(Classes, 32);

        var note = PretrainedWeights.Load(legacy, spec, fromLegacy);
        PretrainedWeights.Load(zipped, spec, fromZip);

        Assert.Contains("kept", note);
        var expected = fromZip.state_dict();
        var actual = fromLegacy.state_dict();
        Assert.Equal(count, expected.Count);
        foreach (var (key, tensor) in expected)
        {
            Assert.Equal(tensor.dtype, actual[key].dtype);
            Assert.True(tensor.equal(actual[key]).all().item<bool>(), key);
        }
        Assert.Equal(7L, actual.First(p => p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Value.item<long>());
    }
}
