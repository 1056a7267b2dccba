using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Model;

/// <summary>
/// The network of the classic Keras image-classification recipe, listed in the model zoo as <c>seed-cnn</c> (the network
/// classify started with, and still its default): 3 x [Conv 3x3 valid (32, 64, 128 filters) + ReLU + MaxPool 2x2], Flatten, Dense 512 + ReLU,
/// Dropout 0.5, Dense(classes). It returns logits; softmax is applied where probabilities are reported.
/// Weights start as in Keras: Glorot-uniform kernels, zero biases.
/// </summary>
public sealed class KerasRecipeCnn : nn.Module<Tensor, Tensor>
{
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
    public KerasRecipeCnn(int classCount, int imageSize) : base(nameof(KerasRecipeCnn))
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
