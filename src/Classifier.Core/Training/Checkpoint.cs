using System.Text;
using System.Text.Json;
using Classifier.Core.Model;

namespace Classifier.Core.Training;

/// <summary>
/// The resumable checkpoint (<c>last.cls</c>): a model file with two more sections, "optimizer" (the
/// <see cref="AdamOptimizer"/>'s step count and moments) and "trainer" (<see cref="TrainingState"/> as JSON).
/// Any model file reader can still use it as a model.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerSection = "optimizer";
    private const string TrainerSection = "trainer";

    /// <summary>Writes the checkpoint atomically.</summary>
    public static void Save(string path, SeedCnn model, AdamOptimizer optimizer, ModelInfo info, TrainingState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            optimizer.Save(writer);
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
