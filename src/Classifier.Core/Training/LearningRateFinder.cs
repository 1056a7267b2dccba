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
        if (options.Weights is { } source) StartingWeights.CheckSource(source, spec);
        var train = TrainingData.Resolve(options).Train;
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        if (spec.TrainsOnlyWithKnownCpuCaches) OneDnnSafety.AvoidBrgemmWhereCacheSizesAreUnknown();
        var preprocessing = options.Preprocessing;
        manual_seed(options.Seed);
        using var model = spec.Create(train.ClassNames.Count, preprocessing.ImageSize);
        if (options.Weights is { } weights) StartingWeights.Load(weights, spec, model, train.ClassNames);
        model.to(device);
        using var optimizer = Trainer.CreateOptimizer(model, options);
        using var loss = new TrainingLoss(options.LabelSmoothing,
            options.ClassWeight == ClassWeighting.Balanced ? TrainingLoss.BalancedWeights(train.ClassCounts()) : null, device);
        var augmenter = new Data.Augmentation.Augmenter(options.Augment);
        // The sweep cycles the images when it needs more batches than an epoch has; cached, later passes decode nothing.
        var loader = new BatchLoader(train.Images, new ImageDecoder(preprocessing, options.MaxPixels),
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
            new Random(unchecked((int)Trainer.EpochSeed(options.Seed, pass + 1))).Shuffle(order);
            int before = rates.Count;
            foreach (var batch in loader.Read(order, options.BatchSize, cancellation))
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
    /// fastai's default suggestion ("valley"): the longest stretch over which the smoothed loss keeps falling (the longest
    /// decreasing subsequence, so small bumps do not end it), and the rate a little past its middle, where the loss still
    /// falls well but is not yet near the minimum it reaches just before diverging. The first tenth of the curve (the
    /// average still settling) and its last few points (diverging) are left out, as fastai does.
    /// </summary>
    public static double Suggest(IReadOnlyList<double> rates, IReadOnlyList<double> smoothed)
    {
        int first = rates.Count / 10, last = Math.Max(first + 2, rates.Count - 5);
        if (last - first < 3) return rates[rates.Count / 2];
        int n = last - first;
        var run = new int[n];   // length of the longest decreasing subsequence that ends at each point
        int end = 0;
        for (int i = 0; i < n; i++)
        {
            run[i] = 1;
            for (int j = 0; j < i; j++)
                if (smoothed[first + i] < smoothed[first + j] && run[j] + 1 > run[i]) run[i] = run[j] + 1;
            if (run[i] > run[end]) end = i;
        }
        int start = end - run[end] + 1;
        int third = (end - start) / 3;
        return rates[first + start + third + third / 2];
    }
}
