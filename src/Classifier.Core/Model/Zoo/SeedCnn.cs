using Classifier.Core.Data;
using Classifier.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// <c>seed-cnn</c>, the network of the classic Keras image-classification recipe (the network classify started with,
/// and still its default), and its zoo entry (<see cref="Spec"/>): 3 x [Conv 3x3 valid (32, 64, 128 filters) + ReLU +
/// MaxPool 2x2], Flatten, Dense 512 + ReLU, Dropout 0.5, Dense(classes). It returns logits; softmax is applied where
/// probabilities are reported. Weights start as in Keras: Glorot-uniform kernels, zero biases.
/// </summary>
public sealed class SeedCnn : nn.Module<Tensor, Tensor>
{
    /// <summary>The model-file and command-line name; files written before the zoo existed carry it too.</summary>
    public const string Name = "seed-cnn";

    /// <summary>The zoo entry: the default network.</summary>
    public static NetworkSpec Spec { get; } = new()
    {
        Name = Name,
        Description = "The Keras recipe CNN (3 conv blocks, dense 512, dropout), trained from scratch; the default.",
        Construct = (classes, size) => new SeedCnn(classes, size),
        MinimumImageSize = MinimumImageSize,
        Summary = (classes, size) => Summary(size, classes),
        Preprocessing = size => Preprocessing.Default with { ImageSize = size },
        // The dense layer before the classifier sees dropout, so its input cannot be cached, and there is no pretrained
        // backbone to keep: no head to train alone.
        Head = null,
        ClassifierLayer = "fc2",
        // Its 224 px activations and 177 MB dense layer are blocks glibc maps afresh at every step: huge pages make a
        // step cheaper at about the same peak (docs/performance.md, "The heap policy per network").
        Heap = HeapPolicy.HugePages,
        // libtorch for eval and predict: ONNX Runtime keeps copies of the 177 MB dense layer while it builds its session,
        // which cost more time and memory than its faster convolutions saved (docs/performance.md, "Figures behind the
        // code's choices"). And the default network's eval repeats training's validation figures exactly.
        InfersOnLibTorch = true,
        // The default network's default run is the Keras recipe, bit for bit on every CPU: bf16 only when asked for
        // (--precision bf16), as timm and Lightning leave mixed precision to the user (docs/performance.md).
        MixedPrecisionByDefault = false,
        OnnxForward = OnnxForward,
    };

    /// <summary>Filters of the three convolution blocks.</summary>
    public static readonly int[] Filters = [32, 64, 128];

    /// <summary>Units of the hidden dense layer.</summary>
    public const int HiddenUnits = 512;

    /// <summary>Dropout rate before the output layer.</summary>
    public const double DropoutRate = 0.5;

    /// <summary>Smallest input side for which every block still has at least one pixel after pooling.</summary>
    public const int MinimumImageSize = 22;

    // Field names are the state-dict keys (conv1.weight, ...); they match the PyTorch rebuild in the README.
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly MaxPool2d pool;
    private readonly Linear fc1;
    private readonly Dropout dropout;
    private readonly Linear fc2;

    /// <summary>Creates the network for <paramref name="classCount"/> classes and square inputs of <paramref name="imageSize"/> px.</summary>
    public SeedCnn(int classCount, int imageSize) : base(nameof(SeedCnn))
    {
        if (imageSize < MinimumImageSize)
            throw new ClassifierException(
                $"Image size {imageSize} is too small for the network: three conv 3x3 + max-pool 2x2 blocks need at least {MinimumImageSize} px (--image-size).");
        if (classCount < 2)
            throw new ClassifierException($"The network needs at least two classes, got {classCount}.");
        ClassCount = classCount;
        ImageSize = imageSize;
        conv1 = nn.Conv2d(3, Filters[0], 3);
        conv2 = nn.Conv2d(Filters[0], Filters[1], 3);
        conv3 = nn.Conv2d(Filters[1], Filters[2], 3);
        pool = nn.MaxPool2d(2);
        fc1 = nn.Linear(FlattenedFeatures(imageSize), HiddenUnits);
        dropout = nn.Dropout(DropoutRate);
        fc2 = nn.Linear(HiddenUnits, classCount);
        RegisterComponents();
        InitializeLikeKeras();
    }

    /// <summary>Number of output classes.</summary>
    public int ClassCount { get; }

    /// <summary>Input side in pixels.</summary>
    public int ImageSize { get; }

    /// <summary>Feature-map side after each of the three blocks (valid 3x3 conv, then floor-halving pool).</summary>
    public static int[] BlockSides(int imageSize)
    {
        var sides = new int[3];
        int side = imageSize;
        for (int i = 0; i < 3; i++)
        {
            side = (side - 2) / 2;
            sides[i] = side;
        }
        return sides;
    }

    /// <summary>Length of the flattened feature vector fed to the dense layer.</summary>
    public static int FlattenedFeatures(int imageSize)
    {
        int side = BlockSides(imageSize)[^1];
        return Filters[^1] * side * side;
    }

    /// <summary>Logits for a batch. <paramref name="input"/>: [N, 3, H, W] float in [0, 1]; returns [N, classes].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = Block(conv1, input);
        x = Block(conv2, x);
        x = Block(conv3, x);
        x = x.flatten(1);                                           // [N, 128 * s * s]
        x = dropout.forward(nn.functional.relu(fc1.forward(x)));    // [N, 512]
        return fc2.forward(x).MoveToOuterDisposeScope();            // [N, classes]
    }

    /// <summary>
    /// Conv 3x3 + ReLU + max-pool 2x2. ReLU runs in place: a convolution's backward pass needs its input, not its
    /// output, so the output can be overwritten (at 224 px and batch 32 that saves 340 MB per step; conv1's output alone
    /// is [32, 32, 222, 222], 200 MB). The convolution's output is released as soon as the pool has read it: under
    /// inference mode its memory goes at once instead of at the end of <see cref="forward"/>'s scope (at batch 64,
    /// 400 MB for conv1); when training, autograd keeps what the backward pass needs either way.
    /// </summary>
    private Tensor Block(Conv2d conv, Tensor input)
    {
        using var convolved = conv.forward(input);
        using var activated = convolved.relu_();
        return pool.forward(activated);
    }

    /// <summary>The layer table for an input of <paramref name="imageSize"/> px and <paramref name="classCount"/> classes, computed without building the network.</summary>
    public static ModelSummary Summary(int imageSize, int classCount)
    {
        var rows = new List<SummaryRow>();
        int side = imageSize, channels = 3;
        for (int block = 0; block < Filters.Length; block++)
        {
            int filters = Filters[block];
            side -= 2;
            rows.Add(new($"conv{block + 1}", "Conv2d 3x3 + ReLU", [filters, side, side], (long)channels * filters * 9 + filters));
            side /= 2;
            rows.Add(new($"pool{block + 1}", "MaxPool2d 2x2", [filters, side, side], 0));
            channels = filters;
        }
        int flat = channels * side * side;
        rows.Add(new("flatten", "Flatten", [flat], 0));
        rows.Add(new("fc1", "Linear + ReLU", [HiddenUnits], (long)flat * HiddenUnits + HiddenUnits));
        rows.Add(new("dropout", $"Dropout {DropoutRate}", [HiddenUnits], 0));
        rows.Add(new("fc2", "Linear (logits)", [classCount], (long)HiddenUnits * classCount + classCount));
        return new ModelSummary(rows);
    }

    /// <summary><see cref="forward"/> in ONNX: 3 x (conv, relu, pool), flatten, fc1, relu, dropout, fc2.</summary>
    private static string? OnnxForward(nn.Module module, string path, string input, IOnnxWriter onnx)
    {
        if (module is not SeedCnn) return null;
        var x = input;
        for (int block = 1; block <= Filters.Length; block++)
        {
            x = onnx.Child(module, path, $"conv{block}", x);
            x = onnx.Node("Relu", path, $"relu{block}", x);
            x = onnx.Child(module, path, "pool", x, writtenAs: $"pool{block}");
        }
        x = onnx.Flatten(path, "flatten", x);
        x = onnx.Child(module, path, "fc1", x);
        x = onnx.Node("Relu", path, "relu_fc1", x);
        x = onnx.Child(module, path, "dropout", x);
        return onnx.Child(module, path, "fc2", x);
    }

    /// <summary>Total number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    private void InitializeLikeKeras()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d c:
                    nn.init.xavier_uniform_(c.weight);
                    nn.init.zeros_(c.bias!);
                    break;
                case Linear l:
                    nn.init.xavier_uniform_(l.weight);
                    nn.init.zeros_(l.bias!);
                    break;
            }
        }
    }
}
