using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Tests.Training;

public sealed class ScheduleAndBookkeepingTests
{
    private static readonly TrainOptions Base = new() { DataDir = "x", Epochs = 10, LearningRate = 0.1 };

    private static HistoryRow Row(int epoch, double valLoss, double valAccuracy = 0.5) => new(epoch, 0.5, 1, valAccuracy, valLoss, 0.1, 1);

    [Fact]
    public void Warmup_RisesLinearly_ThenTheBaseRateHolds()
    {
        var options = Base with { WarmupEpochs = 3 };
        var rates = Enumerable.Range(1, 5).Select(e => LearningRates.For(options, e, 1)).ToArray();
        double[] expected = [0.025, 0.05, 0.075, 0.1, 0.1];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], rates[i], 12);
    }

    [Fact]
    public void Cosine_StartsAtTheBaseRate_AndDecaysTowardsTheMinimum()
    {
        var options = Base with { LrSchedule = LearningRateSchedule.Cosine, Epochs = 4, MinLearningRate = 0.02 };
        var rates = Enumerable.Range(1, 4).Select(e => LearningRates.For(options, e, 1)).ToArray();
        Assert.Equal(0.1, rates[0], 12);
        Assert.Equal(0.02 + 0.08 * 0.5 * (1 + Math.Cos(Math.PI * 0.5)), rates[2], 12);
        Assert.True(rates[3] > 0.02 && rates[3] < rates[2]);
    }

    [Fact]
    public void Plateau_CutsTheRate_AfterPlateauPatienceEpochsWithoutImprovement()
    {
        var options = Base with { LrSchedule = LearningRateSchedule.Plateau, PlateauPatience = 2, PlateauFactor = 0.5 };
        var state = new TrainingState();
        foreach (var (epoch, loss) in new[] { (1, 1.0), (2, 1.1), (3, 1.2), (4, 1.3) })
            (state, _) = EpochBookkeeping.After(state, Row(epoch, loss), options);
        Assert.Equal(0.5, state.PlateauScale);
        Assert.Equal(0.05, LearningRates.For(options, 5, state.PlateauScale), 12);
    }

    [Fact]
    public void Bookkeeping_TracksTheBestEpoch_AndStopsAfterPatience()
    {
        var options = Base with { Patience = 2, MinDelta = 0.01 };
        var state = new TrainingState();
        bool best;
        (state, best) = EpochBookkeeping.After(state, Row(1, 1.0), options);
        Assert.True(best);
        (state, best) = EpochBookkeeping.After(state, Row(2, 0.995), options); // better, but by less than min-delta
        Assert.True(best);
        Assert.Equal(1, state.EpochsWithoutImprovement);
        Assert.False(state.StoppedEarly);
        (state, best) = EpochBookkeeping.After(state, Row(3, 1.5), options);
        Assert.False(best);
        Assert.True(state.StoppedEarly);
        Assert.Equal(2, state.BestEpoch);
    }

    [Fact]
    public void MonitoringAccuracy_PrefersHigherValues()
    {
        var options = Base with { Monitor = MonitorMetric.ValAccuracy };
        var (state, _) = EpochBookkeeping.After(new TrainingState(), Row(1, 1.0, valAccuracy: 0.6), options);
        (state, bool best) = EpochBookkeeping.After(state, Row(2, 0.5, valAccuracy: 0.55), options);
        Assert.False(best);
        Assert.Equal(1, state.BestEpoch);
    }
}
