using Classifier.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo.PreZoo;

/// <summary>
/// The seed network's training as the build before the model zoo (commit a8252e1) ran it, reduced to what a run with
/// default options and <c>--horizontal-flip</c> does: seed, build, and per epoch reseed from (seed, epoch), shuffle,
/// flip about half of each batch, step Adam on the mean cross-entropy, then validate in eval mode under inference mode
/// with batches of 64, losses summed per image in double. Images come from today's data pipeline (the test pins that
/// separately); everything numeric is frozen here, so today's trainer can be compared with it bit for bit in one
/// process on whatever CPU runs the tests.
/// </summary>
internal static class PreZooTraining
{
    private const int EvaluationBatch = 64;

    /// <summary>One epoch's row: accuracy, loss, val_accuracy, val_loss.</summary>
    public sealed record Row(int Epoch, double Accuracy, double Loss, double ValAccuracy, double ValLoss);

    /// <summary>The history, the saved weights (TorchSharp's state-dict format) and the saved optimizer state.</summary>
    public sealed record Result(IReadOnlyList<Row> History, byte[] Weights, byte[] Optimizer);

    public static Result Run(Dataset train, Dataset validation, ImageDecoder decoder, int seed, int epochs, int batchSize,
        double learningRate)
    {
        var skipped = new SkippedImages();
        var trainLoader = new BatchLoader(train.Images, decoder, cache: null, skipped);
        var validationLoader = new BatchLoader(validation.Images, decoder, cache: null, skipped);
        float scale = decoder.Preprocessing.Scale;

        manual_seed(seed);
        using var model = new PreZooSeedCnn(train.ClassNames.Count, decoder.Preprocessing.ImageSize);
        using var optimizer = new PreZooAdam(model.parameters(), learningRate);
        var history = new List<Row>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            long epochSeed = (long)seed * 1_000_003L + epoch;
            manual_seed(epochSeed);
            var order = Enumerable.Range(0, trainLoader.ImageCount).ToArray();
            new Random(unchecked((int)epochSeed)).Shuffle(order);
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            foreach (var batch in trainLoader.Read(order, batchSize))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    optimizer.ZeroGrad();
                    var input = FlipSome(Input(batch, scale));
                    var logits = model.forward(input);
                    var labels = tensor(batch.Labels);
                    var loss = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None, label_smoothing: 0).mean();
                    float lossValue = loss.item<float>();
                    loss.backward();
                    optimizer.Step();
                    lossSum += (double)lossValue * batch.Count;
                    correct += logits.argmax(1).eq(labels).sum().item<long>();
                    seen += batch.Count;
                }
            }
            var (valAccuracy, valLoss) = Validate(model, validationLoader, scale);
            history.Add(new Row(epoch, (double)correct / seen, lossSum / seen, valAccuracy, valLoss));
        }
        return new Result(history, Bytes(w => model.save(w)), Bytes(optimizer.Save));
    }

    private static (double Accuracy, double Loss) Validate(PreZooSeedCnn model, BatchLoader loader, float scale)
    {
        model.eval();
        double lossSum = 0;
        long images = 0, correct = 0;
        var order = Enumerable.Range(0, loader.ImageCount).ToArray();
        using (inference_mode())
        {
            foreach (var batch in loader.Read(order, EvaluationBatch))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var logits = model.forward(Input(batch, scale));
                    var labels = tensor(batch.Labels);
                    var losses = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None).data<float>().ToArray();
                    var (_, predictedTensor) = nn.functional.softmax(logits, 1).max(1);
                    var predicted = predictedTensor.data<long>().ToArray();
                    for (int i = 0; i < batch.Count; i++)
                    {
                        lossSum += losses[i];
                        if (predicted[i] == batch.Labels[i]) correct++;
                    }
                    images += batch.Count;
                }
            }
        }
        return ((double)correct / images, lossSum / images);
    }

    /// <summary>a8252e1's input: uint8 NHWC pixels to [N, 3, H, W] float32 times the scale, channels-last strides.</summary>
    private static Tensor Input(Batch batch, float scale)
    {
        using var bytes = empty([batch.Count, batch.ImageSize, batch.ImageSize, 3], dtype: ScalarType.Byte);
        batch.Pixels.CopyTo(bytes.bytes);
        using var factor = scale.ToScalar();
        return bytes.permute(0, 3, 1, 2).to_type(ScalarType.Float32).mul_(factor);
    }

    /// <summary>a8252e1's horizontal flip: a mask from libtorch's generator, about half the images mirrored.</summary>
    private static Tensor FlipSome(Tensor x)
    {
        long n = x.shape[0];
        using var half = 0.5.ToScalar();
        var flip = rand(n).lt(half).view(n, 1, 1, 1);
        return where(flip, x.flip(3), x);
    }

    private static byte[] Bytes(Action<BinaryWriter> save)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory)) save(writer);
        return memory.ToArray();
    }
}
