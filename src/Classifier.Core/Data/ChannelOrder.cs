namespace Classifier.Core.Data;

/// <summary>Order of the three colour channels in the network input.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue: torchvision, Keras and this tool's own networks.</summary>
    Rgb,

    /// <summary>Blue, green, red: Caffe- and CNTK-trained networks.</summary>
    Bgr,
}
