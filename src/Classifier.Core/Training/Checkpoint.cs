using System.Text.Json;
using Classifier.Core.Model;

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
    /// Writes the checkpoint atomically: <paramref name="model"/> as the model, and <paramref name="trained"/> (the
    /// network the optimizer updates) when that is another one.
    /// </summary>
    public static void Save(string path, KerasRecipeCnn model, AdamOptimizer optimizer, ModelInfo info, TrainingState state, KerasRecipeCnn? trained = null)
    {
        // Written straight to the file, section by section: at 224 px the optimizer's moments alone are 355 MB.
        var sections = new List<ModelFileSection>
        {
            new(OptimizerSection, optimizer.Save),
            ModelFileSection.FromBytes(TrainerSection, JsonSerializer.SerializeToUtf8Bytes(state, TrainOptionsFile.Json)),
        };
        if (trained is not null && !ReferenceEquals(trained, model)) sections.Add(ModelFile.WeightsSection(TrainedWeightsSection, trained));
        ModelFile.Save(path, model, info, sections);
    }

    /// <summary>
    /// The network the optimizer was updating: a new one with the "trained-weights" section of a checkpoint written
    /// with a weight average, else the checkpoint's own network. The caller disposes a new one.
    /// </summary>
    public static KerasRecipeCnn TrainedNetwork(string path, LoadedModel checkpoint, bool averaged)
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
        return JsonSerializer.Deserialize<TrainingState>(json, TrainOptionsFile.Json)
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
