namespace Classifier.Core.Options;

/// <summary>The sections of <c>classify train --help</c> and of the README's options reference, in this order.</summary>
public enum OptionGroup
{
    /// <summary>Where the images come from and how they are read.</summary>
    Data,

    /// <summary>The network and its input.</summary>
    Model,

    /// <summary>The optimizer, its schedule, stopping and the loss.</summary>
    Training,

    /// <summary>Random changes of training images.</summary>
    Augmentation,

    /// <summary>What the run writes and prints.</summary>
    Output,

    /// <summary>Modes, reproducibility and resources.</summary>
    Advanced,
}
