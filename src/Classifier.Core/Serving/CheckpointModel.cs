using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Serving;

/// <summary>
/// A classify model file served through <see cref="InferenceNetwork"/>: the input tensor, the engine, the test-time
/// augmentation and the softmax are exactly <see cref="Prediction.Predictor"/>'s, so a served image gets the
/// probabilities <c>classify predict</c> gives the same file.
/// </summary>
internal sealed class CheckpointModel : ServingModel
{
    private readonly InferenceNetwork _network;
    private readonly Device _device;

    private CheckpointModel(string path, LoadedModel model, InferenceNetwork network, Device device, ServeModelOptions options)
        : base(path, model.Info.Architecture, model.Info.ClassNames, model.Info.Preprocessing,
            options.TestTimeAugmentation ?? model.Info.TestTimeAugmentation, options.MaxPixels)
    {
        _network = network;
        _device = device;
    }

    public override InferenceEngine Engine => _network.Engine;

    public override string? EngineNote => _network.FallbackReason;

    public static CheckpointModel Open(string path, ServeModelOptions options)
    {
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        var model = ModelFile.LoadForInference(path);
        try
        {
            model.Network.to(device);
            // The image count is unknown (a server sees many): the network's own choice, as predict makes for a folder.
            var network = InferenceNetwork.Open(model, options.Engine, device, options.Threads, images: null);
            return new CheckpointModel(path, model, network, device, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public override float[] Probabilities(ReadOnlySpan<byte> pixels, int count)
    {
        using (inference_mode())
        using (NewDisposeScope())
        {
            var input = BatchTensors.Input(pixels, count, Preprocessing.ImageSize, Preprocessing).to(_device);
            var logits = _network.Logits(input, TestTimeAugmentation);                  // [N, classes]
            return nn.functional.softmax(logits, 1).cpu().data<float>().ToArray();     // [N, classes]
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _network.Dispose();   // it owns the model's network
    }
}
