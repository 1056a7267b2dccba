namespace Classifier.Core.Plotting;

/// <summary>What <see cref="LrFindPlot"/> draws: a learning-rate range test's losses against its rates.</summary>
public interface ILrFindCurve
{
    /// <summary>The rate of each step taken.</summary>
    IReadOnlyList<double> Rates { get; }

    /// <summary>The training loss of each step's batch.</summary>
    IReadOnlyList<double> Losses { get; }

    /// <summary>The smoothed losses, one per step.</summary>
    IReadOnlyList<double> SmoothedLosses { get; }

    /// <summary>The rate to train with, marked on the figure.</summary>
    double SuggestedRate { get; }

    /// <summary>True when the sweep stopped early because the loss diverged.</summary>
    bool Diverged { get; }
}
