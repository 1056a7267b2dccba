namespace Classifier.Core.Training;

/// <summary>Which parts of a network training leaves unchanged (<c>--freeze</c>).</summary>
public enum FreezeMode
{
    /// <summary>Everything trains; batch-norm layers update their statistics (timm's and torchvision's fine-tuning default).</summary>
    None,

    /// <summary>
    /// Everything trains except the batch-norm running statistics, which stay those of the starting weights (batch-norm
    /// layers run in eval mode; their scale and shift still train): steadier with small batches of a new domain.
    /// </summary>
    BatchNorm,

    /// <summary>
    /// Only the head trains; the backbone's weights and batch-norm statistics stay fixed (Keras'
    /// <c>base_model.trainable = False</c>, a linear probe). Without augmentation its features are computed once and cached.
    /// </summary>
    Backbone,
}
