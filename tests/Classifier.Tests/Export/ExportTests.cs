using System.Collections;
using System.Text.Json;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Classifier.Tests.Export;

public sealed class ExportTests : IDisposable
{
    private const int Classes = 3;
    private const int Size = 28;
    private readonly TempDir _dir = new();

    public ExportTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Pt_ReadBackWithPyBridge_GivesIdenticalLogits_AndCarriesClassesAndPreprocessing()
    {
        var (modelFile, expected, input) = SavedModel();
        var pt = ModelExport.Run(modelFile, ExportFormat.Pt, _dir.Combine("model.pt"));

        Hashtable checkpoint;
        using (var stream = File.OpenRead(pt))
            checkpoint = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false);
        Assert.Equal(["c0", "c1", "c2"], ((IEnumerable)checkpoint["class_names"]!).Cast<string>());
        using var preprocessing = JsonDocument.Parse((string)checkpoint["preprocessing"]!);
        Assert.Equal(Size, preprocessing.RootElement.GetProperty("image_size").GetInt32());
        Assert.Equal("bilinear", preprocessing.RootElement.GetProperty("interpolation").GetString());
        Assert.Equal("classify-export-1", checkpoint["format"]);

        var stateDict = ((IDictionary)checkpoint["state_dict"]!).Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (torch.Tensor)e.Value!);
        using var reloaded = FreshNetwork();
        reloaded.load_state_dict(stateDict, strict: true);
        AssertSameLogits(expected, reloaded, input);
    }

    [Fact]
    public void Safetensors_LoadedWithPyBridge_GivesIdenticalLogits_AndHasMetadata()
    {
        var (modelFile, expected, input) = SavedModel();
        var path = ModelExport.Run(modelFile, ExportFormat.Safetensors, _dir.Combine("model.safetensors"));

        using var reloaded = FreshNetwork();
        reloaded.load_safetensors(path, strict: true);
        AssertSameLogits(expected, reloaded, input);

        var metadata = SafetensorsMetadata(path);
        Assert.Equal("seed-cnn", metadata["architecture"]);
        Assert.Equal(["c0", "c1", "c2"], JsonSerializer.Deserialize<string[]>(metadata["class_names"])!);
        Assert.Contains("\"image_size\":28", metadata["preprocessing"]);
    }

    [Fact]
    public void Pt_OfOneModel_IsTheSameBytesEachTime_ItsEntriesDatedAtTheZipEpoch()
    {
        var (modelFile, _, _) = SavedModel();
        var first = ModelExport.Run(modelFile, ExportFormat.Pt, _dir.Combine("first.pt"));
        var second = ModelExport.Run(modelFile, ExportFormat.Pt, _dir.Combine("second.pt"));

        using (var zip = System.IO.Compression.ZipFile.OpenRead(first))
            Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        using (var stream = File.OpenRead(first))
            Assert.NotNull(PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false));   // still an archive PyBridge reads
    }

    [Fact]
    public void Pt_ListsAZooNetworksStateDictInPyTorchsOrder_EachModulesBuffersAfterItsParameters()
    {
        using var network = NetworkRegistry.Get("resnet18").Create(Classes, 32);

        var names = PyTorchExport.InPyTorchOrder(network, NetworkRegistry.Get("resnet18").Head).Select(e => e.Name).ToList();

        // torchvision.models.resnet18().state_dict().keys(), as PyTorch lists them.
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                      "layer1.0.conv1.weight", "layer1.0.bn1.weight"], names.Take(8));
        Assert.Equal(["fc.weight", "fc.bias"], names.TakeLast(2));
        Assert.Equal(network.state_dict().Keys.Order(), names.Order());
    }

    [Theory]
    [InlineData(ExportFormat.Pt)]
    [InlineData(ExportFormat.Safetensors)]
    public void Export_OverALargerExistingFile_LeavesNoStaleBytes(ExportFormat format)
    {
        var (modelFile, _, _) = SavedModel();
        var target = _dir.Combine("old" + ModelExport.ExtensionOf(format));
        ModelExport.Run(modelFile, format, target);
        long freshLength = new FileInfo(target).Length;
        File.WriteAllBytes(target, new byte[freshLength * 3]);

        ModelExport.Run(modelFile, format, target);

        Assert.Equal(freshLength, new FileInfo(target).Length);
    }

    [Fact]
    public async Task ExportVerb_WritesEachFormat_AndRefusesAnUnknownExtensionNamingIt()
    {
        var (modelFile, _, _) = SavedModel();
        foreach (var extension in new[] { ".pt", ".safetensors", ".onnx" })
        {
            var run = await CliRun.Of("export", "--model", modelFile, "-o", _dir.Combine("m" + extension));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(new FileInfo(_dir.Combine("m" + extension)).Length > 100_000);
        }

        var unknown = await CliRun.Of("export", "--model", modelFile, "-o", _dir.Combine("m.bin"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("m.bin", unknown.Error);
        Assert.Contains("--format", unknown.Error);

        var explicitFormat = await CliRun.Of("export", "--model", modelFile, "--format", "onnx", "-o", _dir.Combine("m.bin"));
        Assert.True(explicitFormat.ExitCode == 0, explicitFormat.ToString());

        var missing = await CliRun.Of("export", "--model", _dir.Combine("nope.cls"), "-o", _dir.Combine("x.pt"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.cls", missing.Error);
    }

    /// <summary>A seeded network saved as a model file, its logits on a fixed input, and that input [4, 3, 28, 28].</summary>
    internal (string ModelFile, float[] Logits, torch.Tensor Input) SavedModel(int seed = 11)
    {
        torch.manual_seed(seed);
        using var model = new SeedCnn(Classes, Size);
        model.eval();
        var input = torch.rand(4, 3, Size, Size);
        float[] logits;
        using (torch.no_grad())
        using (var output = model.forward(input))
            logits = output.data<float>().ToArray();
        var path = _dir.Combine($"model-{seed}.cls");
        ModelFile.Save(path, model, Info());
        return (path, logits, input);
    }

    internal static ModelInfo Info() => new(NetworkRegistry.DefaultName, ["c0", "c1", "c2"],
        new Preprocessing(Size, Interpolation.Bilinear, 1f / 255), 2, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);

    private static SeedCnn FreshNetwork()
    {
        torch.manual_seed(999);   // different weights until the file's are loaded
        var network = new SeedCnn(Classes, Size);
        network.eval();
        return network;
    }

    private static void AssertSameLogits(float[] expected, SeedCnn network, torch.Tensor input)
    {
        using var noGrad = torch.no_grad();
        using var output = network.forward(input);
        Assert.Equal(expected, output.data<float>().ToArray());
    }

    private static Dictionary<string, string> SafetensorsMetadata(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, length % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)length));
        return header.RootElement.GetProperty("__metadata__").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
