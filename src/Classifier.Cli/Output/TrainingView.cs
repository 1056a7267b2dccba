using System.Diagnostics;
using System.Globalization;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Output;

/// <summary>
/// Shows training as it goes: the data and model summary, a live per-batch line on a terminal (redrawn in place)
/// or a plain progress line every <see cref="PlainLineInterval"/> in logs, and one Keras-style line per epoch.
/// </summary>
internal sealed class TrainingView(Terminal terminal) : ITrainingObserver
{
    /// <summary>How often a non-interactive log gets a progress line inside a long epoch.</summary>
    private static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(15);

    /// <summary>Redraws of the live line are limited so that fast epochs do not flood the terminal.</summary>
    private static readonly TimeSpan LiveRedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _sinceLastLine = Stopwatch.StartNew();
    private readonly LiveLine _liveLine = new(terminal.Out);
    private int _totalEpochs;

    public void OnTrainingStarted(TrainingStarted start)
    {
        _totalEpochs = start.Options.Epochs;
        var o = terminal.Out;
        var counts = start.Train.ClassCounts();
        var valCounts = start.Validation.ClassCounts();
        o.WriteLine($"Training data:   {start.Train.Images.Count:N0} images in {start.Train.ClassNames.Count} classes from {start.Train.Root}");
        o.WriteLine($"Validation data: {start.Validation.Images.Count:N0} images ({start.ValidationSource})");
        int width = Math.Max(5, start.Train.ClassNames.Max(n => ControlCharacters.Escape(n).Length));
        var weights = start.ClassWeights;
        o.WriteLine($"  {"class".PadRight(width)}  {"train",7}  {"val",7}{(weights is null ? "" : "  loss weight")}");
        for (int c = 0; c < counts.Length; c++)
            o.WriteLine($"  {ControlCharacters.Escape(start.Train.ClassNames[c]).PadRight(width)}  {counts[c],7:N0}  {valCounts[c],7:N0}{(weights is null ? "" : $"  {weights[c],11:F3}")}");
        o.WriteLine();
        o.WriteLine(start.Summary.ToText());
        o.WriteLine();
        var options = start.Options;
        var preprocessing = options.Preprocessing;
        o.WriteLine($"Model {options.Model}" + (options.Weights is null ? " from random weights" : $" from --weights {options.Weights}") +
                    Freezing(options) +
                    (options.Network.Head is null || options.EffectiveFreeze == Core.Training.FreezeMode.Backbone
                        ? "" : $", backbone lr x {options.EffectiveBackboneLrScale.ToString(CultureInfo.InvariantCulture)}") +
                    $", {Core.Torch.MixedPrecision.Note(options.Precision)}");
        if (options.Precision == Core.Torch.Precision.Bf16 && !Core.Torch.CpuFeatures.NativeBf16)
            terminal.Error.WriteLine($"warning: --precision bf16 is emulated and slower than fp32 here ({Core.Torch.MixedPrecision.WhyNotNative}); use --precision fp32 or auto.");
        if (start.WeightsNote is { } note) o.WriteLine(note);
        o.WriteLine($"Image size {preprocessing.ImageSize}x{preprocessing.ImageSize} ({EnumValues.Name(preprocessing.Interpolation)}), " +
                    $"batch size {options.BatchSize}, Adam lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, " +
                    $"seed {options.Seed}, {start.Threads} thread(s), cache {EnumValues.Name(options.Cache)} " +
                    $"({start.CacheBudgetBytes / (1 << 20):N0} MiB budget)" +
                    (options.TestTimeAugmentation == Core.Model.TestTimeAugmentation.None ? "" : ", validation with horizontal flips (--tta)"));
        if (Core.Torch.OpenMpWaiting.Choice?.Note is { Length: > 0 } waiting) o.WriteLine($"OpenMP: {waiting}.");
        o.WriteLine($"Run folder: {start.Run.Path}");
        if (start.CompletedEpochs > 0)
            o.WriteLine($"Resuming after epoch {start.CompletedEpochs} of {options.Epochs}.");
        o.Flush();
    }

    /// <summary>What trains, for the model line: ", --freeze batch_norm", or the phases of --freeze-epochs.</summary>
    private static string Freezing(Core.Training.TrainOptions options)
    {
        string then = options.EffectiveFreeze == Core.Training.FreezeMode.None ? "" : $"--freeze {EnumValues.Name(options.EffectiveFreeze)}";
        if (options.FreezeEpochs == 0) return then.Length == 0 ? "" : $", {then}";
        return $", the head alone for {options.FreezeEpochs} epoch(s), then everything" +
               (then.Length == 0 ? "" : $" with {then}" + (options.Freeze is null ? " (the default after --freeze-epochs)" : ""));
    }

    public void OnBatchCompleted(BatchProgress p)
    {
        bool last = p.Batch == p.Batches;
        if (terminal.IsInteractive)
        {
            if (!last && _sinceLastLine.Elapsed < LiveRedrawInterval) return;
            _liveLine.Show($"Epoch {p.Epoch}/{p.Epochs} {p.Batch,5}/{p.Batches} {Bar(p.Batch, p.Batches)} ETA {Duration(p.EtaSeconds)}" +
                           $" - loss: {p.Loss:F4} - accuracy: {p.Accuracy:F4} - {p.ImagesPerSecond:F0} img/s");
        }
        else
        {
            if (last || _sinceLastLine.Elapsed < PlainLineInterval) return;
            terminal.Out.WriteLine($"  epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} - loss: {p.Loss:F4} - accuracy: {p.Accuracy:F4}" +
                                   $" - {p.ImagesPerSecond:F0} img/s - ETA {Duration(p.EtaSeconds)}");
        }
        terminal.Out.Flush();
        _sinceLastLine.Restart();
    }

    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
        _liveLine.Clear();
        terminal.Out.WriteLine(
            $"Epoch {row.Epoch}/{_totalEpochs} - {row.Seconds:F0}s - loss: {row.Loss:F4} - accuracy: {row.Accuracy:F4}" +
            $" - val_loss: {row.ValLoss:F4} - val_accuracy: {row.ValAccuracy:F4} - lr: {row.LearningRate:G3}{(isBest ? " (best)" : "")}");
        terminal.Out.Flush();
        _sinceLastLine.Restart();
    }

    public void OnDataWarning(DataWarning warning)
    {
        _liveLine.Clear();
        terminal.Error.WriteLine(WarningLine.Of(warning));
    }

    /// <summary>The closing lines: where the files are and how the best epoch did.</summary>
    public void OnTrainingEnded(TrainResult result)
    {
        var o = terminal.Out;
        o.WriteLine();
        // No best epoch when the monitored metric was never a number (a NaN validation loss from NaN weights).
        if (result.History.FirstOrDefault(r => r.Epoch == result.BestEpoch) is not { } best)
        {
            o.WriteLine($"No best epoch: the monitored validation metric was never a number, so {result.Run.BestModel} was not written; {result.Run.LastModel} holds the last epoch.");
            return;
        }
        if (result.StoppedEarly)
            o.WriteLine($"Stopped early after epoch {result.History[^1].Epoch}: no improvement of the monitored metric for --patience epochs.");
        o.WriteLine($"Best epoch {best.Epoch}: val_loss {best.ValLoss:F4}, val_accuracy {best.ValAccuracy:F4}");
        o.WriteLine($"Model:   {result.Run.BestModel}");
        o.WriteLine($"History: {result.Run.History}");
        o.WriteLine($"Curves:  {result.Run.Curves}");
        if (result.SkippedImages > 0)
            o.WriteLine($"Skipped: {result.SkippedImages} unreadable file(s), listed in {result.Run.Skipped}");
    }

    private static string Bar(int done, int total, int width = 24)
    {
        int filled = total == 0 ? width : (int)((long)done * width / total);
        return "[" + new string('=', filled) + new string('.', width - filled) + "]";
    }

    private static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds)) return "?";
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
    }
}
