using System.Text.Json;
using Classifier.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The resumable checkpoint (<c>last.cls</c>): a model file with two more sections, "optimizer" (the
/// <see cref="AdamOptimizer"/>'s step count and moments) and "trainer" (<see cref="TrainingState"/> as JSON).
/// With a weight average (<c>--ema-decay</c>) the model weights are the averaged ones, the run's model, and a
/// "trained-weights" section holds the weights the optimizer works on. Any model file reader can still use it as a model.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerSection = "optimizer";
    private const string TrainerSection = "trainer";
    private const string TrainedWeightsSection = "trained-weights";

    /// <summary>
    /// The trainer state's JSON options: the options file's, with NaN and infinities written as "NaN", "Infinity": a
    /// validation loss is NaN when no validation image could be read, and that must not stop the checkpoint.
    /// </summary>
    private static readonly JsonSerializerOptions StateJson = new(TrainOptionsFile.Json)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes the checkpoint atomically: <paramref name="model"/> as the model, and <paramref name="trained"/> (the
    /// network the optimizer updates) when that is another one. Without <paramref name="resumable"/> (a finished run
    /// with <c>--slim-last</c>) only the model and the trainer state are written: <see cref="RequireResumable"/> then
    /// refuses to continue it.
    /// </summary>
    public static void Save(string path, nn.Module<Tensor, Tensor> model, AdamOptimizer optimizer, ModelInfo info, TrainingState state,
        nn.Module<Tensor, Tensor>? trained = null, bool resumable = true)
    {
        // Written straight to the file, section by section: at 224 px the optimizer's moments alone are 355 MB.
        var sections = new List<ModelFileSection>();
        if (resumable) sections.Add(new(OptimizerSection, optimizer.Save));
        sections.Add(ModelFileSection.FromBytes(TrainerSection, JsonSerializer.SerializeToUtf8Bytes(state, StateJson)));
        if (resumable && trained is not null && !ReferenceEquals(trained, model)) sections.Add(ModelFile.WeightsSection(TrainedWeightsSection, trained));
        ModelFile.Save(path, model, info, sections);
    }

    /// <summary>
    /// Throws <see cref="ClassifierException"/> when a run's checkpoint was saved without its optimizer state
    /// (<c>--slim-last</c>), before resuming changes any file.
    /// </summary>
    public static void RequireResumable(string runDir, string path, LoadedModel checkpoint)
    {
        if (checkpoint.Sections.ContainsKey(TrainerSection) && !checkpoint.Sections.ContainsKey(OptimizerSection))
            throw new ClassifierException(
                $"'{path}' was saved without its optimizer state when the run ended (--slim-last), so run '{runDir}' cannot be resumed or extended; nothing was changed. " +
                $"Train a new run with its options: classify train --config {Path.Combine(runDir, Runs.RunFolder.OptionsName)} -o NEW_DIR.");
    }

    /// <summary>
    /// The network the optimizer was updating: a new one with the "trained-weights" section of a checkpoint written
    /// with a weight average, else the checkpoint's own network. The caller disposes a new one.
    /// </summary>
    public static nn.Module<Tensor, Tensor> TrainedNetwork(string path, LoadedModel checkpoint, bool averaged)
    {
        if (!averaged) return checkpoint.Network;
        if (!checkpoint.Sections.TryGetValue(TrainedWeightsSection, out var weights))
            throw new ClassifierException($"'{path}' has no {TrainedWeightsSection} section although its run averages weights (--ema-decay); it cannot be resumed.");
        return ModelFile.CreateNetwork(path, checkpoint.Info, weights, "trained weights");
    }

    /// <summary>The trainer state stored in a loaded checkpoint.</summary>
    public static TrainingState ReadState(string path, LoadedModel checkpoint)
    {
        if (!checkpoint.Sections.TryGetValue(TrainerSection, out var json))
            throw new ClassifierException($"'{path}' is a model without training state; only a run's {Runs.RunFolder.LastModelName} can be resumed.");
        return JsonSerializer.Deserialize<TrainingState>(json, StateJson)
               ?? throw new ClassifierException($"'{path}' has an empty training state.");
    }

    /// <summary>Restores the optimizer state stored in a loaded checkpoint.</summary>
    public static void RestoreOptimizer(string path, LoadedModel checkpoint, AdamOptimizer optimizer)
    {
        if (!checkpoint.Sections.TryGetValue(OptimizerSection, out var bytes))
            throw new ClassifierException($"'{path}' has no optimizer state; only a run's {Runs.RunFolder.LastModelName} can be resumed.");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
            optimizer.Load(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            throw new ClassifierException($"'{path}' has an optimizer state that does not fit the network ({e.Message}).", e);
        }
    }
}
