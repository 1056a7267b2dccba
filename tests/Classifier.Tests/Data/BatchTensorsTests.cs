using Classifier.Core.Data;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Tests.Data;

public sealed class BatchTensorsTests
{
    public BatchTensorsTests() => TorchRuntime.Initialize();

    [Fact]
    public void Input_ReordersScalesAndNormalises_AsThePreprocessingSays()
    {
        byte[] pixel = [255, 0, 51]; // one RGB pixel
        var preprocessing = new Preprocessing(1, Interpolation.Nearest, 1f) { ChannelOrder = ChannelOrder.Bgr, Mean = [1, 2, 3], Std = [2, 2, 2] };

        using var scope = NewDisposeScope();
        var input = BatchTensors.Input(pixel, 1, 1, preprocessing);   // [1, 3, 1, 1]

        // BGR of 0-255 values: (51 - 1) / 2, (0 - 2) / 2, (255 - 3) / 2.
        var values = input.contiguous().data<float>().ToArray();
        Assert.Equal([25f, -1f, 126f], values.Select(v => MathF.Round(v, 3)));
    }

    [Fact]
    public void Input_WithTheSeedRecipe_IsPixelsOver255_AndAugmentationSeesTheSameUnitImages()
    {
        byte[] pixel = [255, 0, 51];
        using var scope = NewDisposeScope();
        Tensor? seen = null;
        var input = BatchTensors.Input(pixel, 1, 1, Preprocessing.Default with { ImageSize = 1 }, x => seen = x.clone());

        Assert.Equal([1f, 0f, 51 * (1f / 255f)], input.contiguous().data<float>().ToArray());
        Assert.Equal([1f, 0f, 51 * (1f / 255f)], seen!.contiguous().data<float>().ToArray());
    }
}
