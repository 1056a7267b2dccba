using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo.PreZoo;

/// <summary>
/// The seed network exactly as the build before the model zoo (commit a8252e1) defined it: 3 x [Conv 3x3 valid + ReLU
/// + MaxPool 2x2], Flatten, Dense 512 + ReLU, Dropout 0.5, Dense(classes), Glorot-uniform kernels and zero biases
/// initialised in module order. Frozen here on purpose: it is the reference today's seed-cnn is compared with, in the
/// same process, so it must never follow changes to the product's network. Field names are the state-dict keys.
/// </summary>
internal sealed class PreZooSeedCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly MaxPool2d pool;
    private readonly Linear fc1;
    private readonly Dropout dropout;
    private readonly Linear fc2;

    public PreZooSeedCnn(int classCount, int imageSize) : base("KerasRecipeCnn")
    {
        int side = imageSize;
        for (int i = 0; i < 3; i++) side = (side - 2) / 2;
        conv1 = nn.Conv2d(3, 32, 3);
        conv2 = nn.Conv2d(32, 64, 3);
        conv3 = nn.Conv2d(64, 128, 3);
        pool = nn.MaxPool2d(2);
        fc1 = nn.Linear(128 * side * side, 512);
        dropout = nn.Dropout(0.5);
        fc2 = nn.Linear(512, classCount);
        RegisterComponents();
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

    /// <summary>[N, 3, H, W] float in [0, 1] to [N, classes] logits.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool.forward(nn.functional.relu(conv1.forward(input)));
        x = pool.forward(nn.functional.relu(conv2.forward(x)));
        x = pool.forward(nn.functional.relu(conv3.forward(x)));
        x = x.flatten(1);
        x = dropout.forward(nn.functional.relu(fc1.forward(x)));
        return fc2.forward(x).MoveToOuterDisposeScope();
    }
}
