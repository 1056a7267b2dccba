namespace Classifier.Core.Training;

/// <summary>How training images of each class are weighted in the loss.</summary>
public enum ClassWeighting
{
    /// <summary>Every image counts the same.</summary>
    None,

    /// <summary>Weight of class c = images / (classes x images of c), as scikit-learn's "balanced".</summary>
    Balanced,
}
