using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Runs;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The state a <see cref="TrainingLoop"/> starts from: a new run builds it from the options, a resumed one from its
/// last.cls. The networks and the optimizer belong to the caller, which disposes them after the loop.
/// </summary>
/// <param name="Run">The run folder.</param>
/// <param name="Data">Training and validation images, and how the validation images were chosen.</param>
/// <param name="Model">The network the optimizer trains, on <paramref name="Device"/>.</param>
/// <param name="Average">The moving average of its weights (--ema-decay), or null.</param>
/// <param name="Optimizer">The optimizer of <paramref name="Model"/>'s trained parameters.</param>
/// <param name="State">Where the run stands: a new <see cref="TrainingState"/>, or the checkpoint's.</param>
/// <param name="Device">Where the networks run.</param>
/// <param name="StartingWeights">What the run started from (recorded in every model file), or null.</param>
/// <param name="WeightsNote">What happened to the starting weights or the optimizer state, for the observer; or null.</param>
internal sealed record RunStart(RunFolder Run, (Dataset Train, Dataset Validation, string Source) Data, nn.Module<Tensor, Tensor> Model,
    WeightAverage? Average, AdamOptimizer Optimizer, TrainingState State, Device Device, StartingWeights? StartingWeights, string? WeightsNote);
