namespace Classifier.Core.Training;

/// <summary>How the learning rate changes from epoch to epoch.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate every epoch (after any warm-up).</summary>
    Constant,

    /// <summary>Multiply the rate by the plateau factor when the monitored metric has not improved for the plateau patience.</summary>
    Plateau,

    /// <summary>Cosine decay from the base rate towards the minimum rate over the epochs after warm-up.</summary>
    Cosine,
}
