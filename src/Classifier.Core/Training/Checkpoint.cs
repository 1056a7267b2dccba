using System.Text;
using System.Text.Json;
using Classifier.Core.Model;
using TorchSharp;

namespace Classifier.Core.Training;

/// <summary>
/// The resumable checkpoint (<c>last.cls</c>): a model file with two more sections, "optimizer" (TorchSharp's
/// optimizer state dict: Adam moments and step counts) and "trainer" (<see cref="TrainingState"/> as JSON).
/// Any model file reader can still use it as a model.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerSection = "optimizer";
    private const string TrainerSection = "trainer";

    /// <summary>Writes the checkpoint atomically.</summary>
    public static void Save(string path, SeedCnn model, torch.optim.Optimizer optimizer, ModelInfo info, TrainingState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
        ModelFile.Save(path, model, info, new Dictionary<string, byte[]>
        {
            [OptimizerSection] = buffer.ToArray(),
            [TrainerSection] = JsonSerializer.SerializeToUtf8Bytes(state, TrainOptionsFile.Json),
        });
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
    public static void RestoreOptimizer(string path, LoadedModel checkpoint, torch.optim.Optimizer optimizer)
    {
        if (!checkpoint.Sections.TryGetValue(OptimizerSection, out var bytes))
            throw new ClassifierException($"'{path}' has no optimizer state; only a run's {Runs.RunFolder.LastModelName} can be resumed.");
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
    }
}
