namespace Classifier.Core.Training;

/// <summary>The validation metric that picks the best epoch, drives early stopping and the plateau schedule.</summary>
public enum MonitorMetric
{
    /// <summary>Validation loss; lower is better.</summary>
    ValLoss,

    /// <summary>Validation accuracy; higher is better.</summary>
    ValAccuracy,
}
