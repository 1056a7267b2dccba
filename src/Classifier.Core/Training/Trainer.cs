using System.Diagnostics;
using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Evaluation;
using Classifier.Core.Model;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The one training loop: seeded shuffling each epoch, one dispose scope per batch, validation through the
/// <see cref="Evaluator"/>, history and checkpoints written after every epoch, curves drawn from history.csv at the end.
/// </summary>
public sealed class Trainer(TrainOptions options, ITrainingObserver observer)
{
    /// <summary>Validation batches are larger than training ones: no gradients are kept.</summary>
    private const int MinimumEvaluationBatch = 64;

    /// <summary>Runs the whole training. Cancelling stops after the current batch; completed epochs stay saved.</summary>
    public TrainResult Run(CancellationToken cancellation = default)
    {
        options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var (trainSet, validationSet, source) = TrainingData.Resolve(options);
        var preprocessing = options.Preprocessing;
        var classNames = trainSet.ClassNames;

        var run = RunFolder.CreateNew(options.OutputDir);
        AtomicFile.WriteText(run.Options, JsonSerializer.Serialize(options, ModelFile.Json));

        var skipped = new SkippedImages();
        skipped.Skipped += observer.OnImageSkipped;
        var decoder = new ImageDecoder(preprocessing, options.MaxPixels);
        var budget = CacheBudget.For(options.Cache);
        var trainLoader = new BatchLoader(trainSet.Images, decoder, Cache(trainSet, budget), skipped) { Strict = options.Strict };
        var validationLoader = new BatchLoader(validationSet.Images, decoder, Cache(validationSet, budget), skipped) { Strict = options.Strict };

        manual_seed(options.Seed);
        using var model = new SeedCnn(classNames.Count, preprocessing.ImageSize);
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        observer.OnTrainingStarted(new TrainingStarted(run, trainSet, validationSet, source,
            ModelSummary.ForSeedCnn(preprocessing.ImageSize, classNames.Count), options, get_num_threads(), budget.Bytes));

        var history = new List<HistoryRow>();
        double bestValLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var (loss, accuracy) = TrainEpoch(model, optimizer, trainLoader, epoch, cancellation);
            var validation = Evaluator.Evaluate(model, validationLoader, classNames, preprocessing.Scale,
                Math.Max(options.BatchSize, MinimumEvaluationBatch), cancellation: cancellation);
            var row = new HistoryRow(epoch, accuracy, loss, validation.Accuracy, validation.Loss,
                options.LearningRate, clock.Elapsed.TotalSeconds);
            history.Add(row);
            HistoryCsv.Write(run.History, history);

            var info = new ModelInfo(ModelInfo.SeedCnnArchitecture, classNames, preprocessing, epoch,
                new Dictionary<string, double>
                {
                    ["accuracy"] = row.Accuracy, ["loss"] = row.Loss,
                    ["val_accuracy"] = row.ValAccuracy, ["val_loss"] = row.ValLoss,
                },
                ToolInfo.Version, TorchRuntime.TorchSharpVersion, DateTime.UtcNow);
            ModelFile.Save(run.LastModel, model, info);
            bool isBest = validation.Loss < bestValLoss;
            if (isBest)
            {
                bestValLoss = validation.Loss;
                bestEpoch = epoch;
                File.Copy(run.LastModel, run.BestModel + ".tmp", overwrite: true);
                File.Move(run.BestModel + ".tmp", run.BestModel, overwrite: true);
            }
            observer.OnEpochCompleted(row, isBest);
        }

        CurvesPlot.SaveFromHistory(run.History, run.Curves);
        if (skipped.Count > 0) SkippedCsv.Write(run.Skipped, skipped.All);
        return new TrainResult(run, history, bestEpoch, skipped.Count);
    }

    private (double Loss, double Accuracy) TrainEpoch(SeedCnn model, optim.Optimizer optimizer, BatchLoader loader,
        int epoch, CancellationToken cancellation)
    {
        // Seeding from (seed, epoch) makes each epoch's shuffle and dropout masks independent of earlier epochs,
        // so a run resumed at an epoch boundary continues exactly as an uninterrupted one.
        long epochSeed = EpochSeed(options.Seed, epoch);
        manual_seed(epochSeed);
        var order = Enumerable.Range(0, loader.ImageCount).ToArray();
        new Random(unchecked((int)epochSeed)).Shuffle(order);
        int batches = (order.Length + options.BatchSize - 1) / options.BatchSize;

        model.train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        int batchNumber = 0;
        foreach (var batch in loader.Read(order, options.BatchSize, cancellation))
        {
            using (batch)
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var logits = model.forward(BatchTensors.Input(batch, options.Preprocessing.Scale)); // [N, classes]
                var labels = BatchTensors.Labels(batch);                                            // [N]
                var loss = nn.functional.cross_entropy(logits, labels);
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new ClassifierException(
                        $"Training stopped: the loss became {lossValue} at epoch {epoch}, batch {batchNumber + 1}. " +
                        "The last good checkpoint stays in the run folder; try a lower --learning-rate.");
                loss.backward();
                optimizer.step();
                lossSum += (double)lossValue * batch.Count;
                correct += logits.argmax(1).eq(labels).sum().item<long>();
                seen += batch.Count;
            }
            batchNumber++;
            double elapsed = clock.Elapsed.TotalSeconds;
            double rate = seen / Math.Max(elapsed, 1e-9);
            observer.OnBatchCompleted(new BatchProgress(epoch, options.Epochs, batchNumber, batches,
                lossSum / seen, (double)correct / seen, rate, (order.Length - seen) / rate));
            cancellation.ThrowIfCancellationRequested();
        }
        if (seen == 0)
            throw new ClassifierException($"No training image in '{options.DataDir}' could be read; see the warnings above.");
        return (lossSum / seen, (double)correct / seen);
    }

    /// <summary>A seed for one epoch, derived from the run seed without process-randomised hashing.</summary>
    internal static long EpochSeed(int seed, int epoch) => (long)seed * 1_000_003L + epoch;

    private PixelCache? Cache(Dataset dataset, CacheBudget budget) =>
        options.Cache == CacheMode.None ? null : new PixelCache(dataset.Images.Count, budget);
}
