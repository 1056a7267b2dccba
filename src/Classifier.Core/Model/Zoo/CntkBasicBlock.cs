using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's BasicBlock (two 3x3 convolutions with batch norm, plus the input or its projection): TorchSharp's
/// own BasicBlock is private to its ResNet class, so <see cref="CntkResNet18"/> hands this one to the public ResNet
/// constructor. The field names are the state-dict names, the same as torchvision's (conv1, bn1, conv2, bn2,
/// downsample.0, downsample.1), so weights move between this network and PyTorch by key.
/// </summary>
internal sealed class CntkBasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> relu;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <param name="inChannels">Channels in.</param>
    /// <param name="channels">Channels out (basic blocks do not expand).</param>
    /// <param name="stride">Stride of the first 3x3 convolution (2 halves the map).</param>
    /// <param name="downsample">The 1x1 projection conv + batch norm of the shortcut, or null for the identity.</param>
    public CntkBasicBlock(int inChannels, int channels, int stride, Module<Tensor, Tensor>? downsample)
        : base(nameof(CntkBasicBlock))
    {
        conv1 = Conv2d(inChannels, channels, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(channels);
        relu = ReLU(inplace: true);
        conv2 = Conv2d(channels, channels, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(channels);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>[N, C_in, H, W] -> [N, C_out, H / stride, W / stride].</summary>
    public override Tensor forward(Tensor input)
    {
        var shortcut = downsample is null ? input : downsample.call(input);
        var x = relu.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        return x.add_(shortcut).relu_();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            relu.Dispose();
            conv2.Dispose();
            bn2.Dispose();
            downsample?.Dispose();
        }
        base.Dispose(disposing);
    }
}
