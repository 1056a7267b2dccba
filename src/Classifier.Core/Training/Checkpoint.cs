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
    private const string ModelWeightsSection = "weights";

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
    /// without <c>--keep-optimizer</c>) only the model and the trainer state are written: extending the run then starts
    /// the optimizer again (<see cref="KeptNoOptimizer"/>).
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
    /// True when a run's checkpoint was saved without its optimizer state, as a finished run's last.cls is unless it
    /// ran with <c>--keep-optimizer</c>. Extending such a run starts Adam's moments again from zero
    /// (<see cref="OptimizerRestartNote"/>), as timm's <c>--resume</c> does with a checkpoint that has no optimizer state
    /// and Keras' <c>fit</c> does on a model saved without its optimizer.
    /// </summary>
    public static bool KeptNoOptimizer(LoadedModel checkpoint) =>
        checkpoint.Sections.ContainsKey(TrainerSection) && !checkpoint.Sections.ContainsKey(OptimizerSection);

    /// <summary>What extending a run whose checkpoint <see cref="KeptNoOptimizer"/> means, in one line for the console.</summary>
    public static string OptimizerRestartNote(string path) =>
        $"Note: {path} kept no optimizer state when the run ended (train with --keep-optimizer to keep it), so Adam's moments " +
        "start again from zero: these epochs continue the weights, schedule and seeds, but differ from one longer run.";

    /// <summary>
    /// The network the optimizer was updating: a new one with the "trained-weights" section of a checkpoint written
    /// with a weight average (or, when the run's end left it out with the optimizer state, with the average itself),
    /// else the checkpoint's own network. The caller disposes a new one.
    /// </summary>
    public static nn.Module<Tensor, Tensor> TrainedNetwork(string path, LoadedModel checkpoint, bool averaged)
    {
        if (!averaged) return checkpoint.Network;
        if (KeptNoOptimizer(checkpoint) && !checkpoint.Sections.ContainsKey(TrainedWeightsSection))
            return ModelFile.CreateNetwork(path, checkpoint.Info, checkpoint.Sections[ModelWeightsSection], "weights");
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
