using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The learning-rate range test (Leslie Smith, "Cyclical Learning Rates", 2017; fastai's <c>lr_find</c>, Lightning's
/// <c>Tuner.lr_find</c>): a network set up exactly as <c>classify train</c> would set it up with the same options takes
/// one optimizer step per batch while the rate grows exponentially from <see cref="LrFindOptions.StartRate"/> to
/// <see cref="LrFindOptions.EndRate"/>, and the smoothed loss is recorded until it diverges. The network and optimizer
/// are thrown away afterwards and no file is written: nothing of the sweep reaches a later run. With
/// <see cref="TrainOptions.FreezeEpochs"/> the sweep trains what the first epoch trains (the head alone).
/// </summary>
public static class LearningRateFinder
{
    /// <summary>
    /// Runs the sweep on the training images <paramref name="options"/> select. <paramref name="onStep"/> gets (steps
    /// done, steps in all). Throws <see cref="ClassifierException"/> for bad options or data, and when the first steps
    /// already give no finite loss.
    /// </summary>
    public static LrFindResult Run(TrainOptions options, LrFindOptions sweep, Action<int, int>? onStep = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        sweep.Validate();
        var spec = options.Network;
        if (options.Weights is { } source) WeightsSource.CheckSource(source, spec);
        var train = TrainingData.Resolve(options).Train;
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        if (spec.TrainsOnlyWithKnownCpuCaches) OneDnnSafety.AvoidBrgemmWhereCacheSizesAreUnknown();
        var preprocessing = options.Preprocessing;
        manual_seed(options.Seed);
        using var model = spec.Create(train.ClassNames.Count, preprocessing.ImageSize);
        if (options.Weights is { } weights) WeightsSource.Load(weights, spec, model, train.ClassNames);
        model.to(device);
        using var optimizer = Trainer.CreateOptimizer(model, options);
        using var loss = new TrainingLoss(options.LabelSmoothing,
            options.ClassWeight == ClassWeighting.Balanced ? TrainingLoss.BalancedWeights(train.ClassCounts()) : null, device);
        var augmenter = new Data.Augmentation.Augmenter(options.Augment);
        // The sweep cycles the images when it needs more batches than an epoch has; cached, later passes decode nothing.
        var loader = new BatchLoader(train.Images, new ImageDecoder(preprocessing, options.MaxPixels) { KeepsCropMargin = true },
            options.Cache == CacheMode.None ? null : new PixelCache(train.Images.Count, CacheBudget.For(options.Cache)), new SkippedImages())
        {
            Strict = options.Strict,
        };
        model.train();
        FineTuning.SetModes(model, options, epoch: 1);
        bool batchNormTrains = FineTuning.BatchNormTrains(model);

        var rates = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        double average = 0, best = double.PositiveInfinity;
        bool diverged = false;
        var clock = Stopwatch.StartNew();
        for (int pass = 0; rates.Count < sweep.Steps && !diverged; pass++)
        {
            var order = Enumerable.Range(0, train.Images.Count).ToArray();
            long passSeed = Trainer.EpochSeed(options.Seed, pass + 1);
            new Random(unchecked((int)passSeed)).Shuffle(order);
            int before = rates.Count;
            foreach (var batch in loader.Read(order, options.BatchSize, cancellation, FineTuning.TrainingCrop(options, epoch: 1, passSeed)))
            {
                using (batch)
                {
                    if (rates.Count >= sweep.Steps || diverged || batch.Count == 1 && batchNormTrains) continue;
                    double rate = sweep.RateAt(rates.Count);
                    optimizer.LearningRate = rate;
                    float value;
                    using (NewDisposeScope())
                    {
                        optimizer.ZeroGrad();
                        var input = BatchTensors.Input(batch, preprocessing, augmenter.Options.Any ? augmenter.Apply : null, device); // [N, 3, H, W]
                        var logits = model.call(input);                                                                          // [N, classes]
                        value = Trainer.Step(logits, BatchTensors.Labels(batch).to(device), loss, optimizer);
                    }
                    if (!float.IsFinite(value))
                    {
                        diverged = true;
                        continue;
                    }
                    average = sweep.Smoothing * average + (1 - sweep.Smoothing) * value;
                    double debiased = average / (1 - Math.Pow(sweep.Smoothing, rates.Count + 1));
                    rates.Add(rate);
                    losses.Add(value);
                    smoothed.Add(debiased);
                    best = Math.Min(best, debiased);
                    onStep?.Invoke(rates.Count, sweep.Steps);
                    if (debiased > sweep.DivergenceFactor * best) diverged = true;
                }
                cancellation.ThrowIfCancellationRequested();
            }
            if (rates.Count == before && !diverged)
                throw new ClassifierException($"No training image in '{train.Root}' could be read for the sweep.");
        }
        if (rates.Count < 2)
            throw new ClassifierException(
                $"lr-find: the loss was not finite from the first steps (rates from {sweep.StartRate:G3}); check the data, or lower --start-lr.");
        return new LrFindResult(rates, losses, smoothed, Suggest(rates, smoothed), diverged, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The suggestion: the rate at which the smoothed loss is lowest, divided by 10 (fastai's <c>minimum</c>, the rule of
    /// fastai 1 and of Smith's practice): at the minimum the loss is about to diverge, a tenth of it still falls fast and
    /// is safe. The first tenth of the curve (the average still settling) and its last five points are left out, as fastai
    /// does. Chosen over fastai 2's <c>valley</c> and Lightning's steepest slope by measurement on the bundled sample
    /// (docs/training.md): valley's rate trained the seed CNN 2.3 points below the default rate, the steepest slope
    /// pointed past divergence, this one matched the default.
    /// </summary>
    public static double Suggest(IReadOnlyList<double> rates, IReadOnlyList<double> smoothed)
    {
        int first = rates.Count / 10, last = Math.Max(first + 1, rates.Count - 5);
        int lowest = first;
        for (int i = first; i < Math.Min(last, rates.Count); i++)
            if (smoothed[i] < smoothed[lowest]) lowest = i;
        // Kept inside the swept range, should the lowest point be among the first rates.
        return Math.Max(rates[0], rates[lowest] / 10);
    }
}
