using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Classifier.Core.Runs;
using TorchSharp;

namespace Classifier.Core.Model;

/// <summary>
/// The model file: a small container of named, checksummed sections. "info" holds <see cref="ModelInfo"/> as JSON,
/// "weights" the network's state dict in TorchSharp's format; checkpoints add more sections (optimizer state, trainer
/// state). Layout: 8-byte magic "CLASSIFY", int32 format version, int32 section count, then per section its name,
/// int64 length, SHA-256 of the content and the content. Every problem with a file becomes a
/// <see cref="ClassifierException"/> naming it; a damaged file never reaches native code unchecked.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>File extension of model files.</summary>
    public const string Extension = ".cls";

    private static readonly byte[] Magic = "CLASSIFY"u8.ToArray();

    /// <summary>
    /// Options for the info JSON (shared so the same names appear everywhere). A metric may be NaN (the validation loss
    /// when no validation image could be read): written as "NaN" rather than failing the checkpoint.
    /// </summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Saves <paramref name="model"/> with <paramref name="info"/> and optional extra sections, atomically. Each section
    /// streams to the file as it is written (see <see cref="SectionedFileWriter"/>), so saving needs no copy of the
    /// weights or optimizer state in memory.
    /// </summary>
    public static void Save(string path, torch.nn.Module model, ModelInfo info, IReadOnlyList<ModelFileSection>? extraSections = null)
    {
        var sections = new List<ModelFileSection>
        {
            ModelFileSection.FromBytes("info", JsonSerializer.SerializeToUtf8Bytes(info, Json)),
            WeightsSection("weights", model),
        };
        if (extraSections is not null) sections.AddRange(extraSections);
        AtomicFile.Write(path, stream => SectionedFileWriter.Write(stream, Magic, FormatVersion, sections));
    }

    /// <summary>A section holding <paramref name="model"/>'s state dict in TorchSharp's format.</summary>
    internal static ModelFileSection WeightsSection(string name, torch.nn.Module model) => new(name, writer => model.save(writer));

    /// <summary>The state dict in TorchSharp's own format.</summary>
    internal static byte[] WeightsToBytes(torch.nn.Module model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            model.save(writer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Loads a model file: checks the container, reads the info, rebuilds the network and loads its weights.
    /// Throws <see cref="ClassifierException"/> naming <paramref name="path"/> for a missing, foreign, truncated,
    /// corrupted or too-new file.
    /// </summary>
    public static LoadedModel Load(string path) => Load(path, keepSections: true);

    /// <summary>
    /// As <see cref="Load(string)"/>, for inference: the file's sections are not kept once the network has its weights
    /// (the seed CNN's at 224 px are 169 MiB that eval and predict would otherwise hold to the end).
    /// </summary>
    public static LoadedModel LoadForInference(string path) => Load(path, keepSections: false);

    private static LoadedModel Load(string path, bool keepSections)
    {
        var sections = ReadSections(path);
        var info = ReadInfo(path, sections);
        if (!sections.TryGetValue("weights", out var weights))
            throw Damaged(path, "it has no weights section");
        return new LoadedModel(CreateNetwork(path, info, weights), info, keepSections ? sections : new Dictionary<string, byte[]>());
    }

    /// <summary>
    /// A new network as <paramref name="info"/> describes it, with <paramref name="weights"/> (a weights section of
    /// <paramref name="path"/>, named <paramref name="what"/> in the error) loaded strictly.
    /// </summary>
    internal static torch.nn.Module<torch.Tensor, torch.Tensor> CreateNetwork(string path, ModelInfo info, byte[] weights, string what = "weights")
    {
        if (ModelInfoBounds.WeightsProblem(info, weights.LongLength) is { } sizeProblem)
            throw Damaged(path, $"{sizeProblem} ({what})");
        var model = Zoo.NetworkRegistry.Create(info, path);
        try
        {
            LoadWeights(model, weights);
            return model;
        }
        catch (Exception e) when (e is ArgumentException or EndOfStreamException or IOException or InvalidDataException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            model.Dispose();
            throw Damaged(path, $"its {what} do not fit the network it describes ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads only the info of a model file: the info section comes first, so neither the weights nor the optimizer
    /// state are read or checksummed, and no network is built.
    /// </summary>
    public static ModelInfo ReadInfo(string path) => ReadInfo(path, ReadSections(path, stopAfter: "info"));

    /// <summary>Loads TorchSharp-format weights into <paramref name="model"/>, strictly (every key, every shape).</summary>
    internal static void LoadWeights(torch.nn.Module model, byte[] weights)
    {
        using var reader = new BinaryReader(new MemoryStream(weights, writable: false));
        model.load(reader, strict: true);
    }

    private static ModelInfo ReadInfo(string path, IReadOnlyDictionary<string, byte[]> sections)
    {
        if (!sections.TryGetValue("info", out var json))
            throw Damaged(path, "it has no info section");
        try
        {
            var info = JsonSerializer.Deserialize<ModelInfo>(json, Json);
            if (info?.ClassNames is null || info.Preprocessing is null || info.ClassNames.Count < 2)
                throw Damaged(path, "its info section is incomplete");
            if (ModelInfoBounds.Problem(info) is { } problem)
                throw Damaged(path, problem);
            return info;
        }
        catch (JsonException e)
        {
            throw Damaged(path, "its info section is not valid JSON", e);
        }
    }

    /// <summary>Reads and checks the sections in file order, all of them or up to <paramref name="stopAfter"/>.</summary>
    private static Dictionary<string, byte[]> ReadSections(string path, string? stopAfter = null)
    {
        if (Directory.Exists(path))
            throw new ClassifierException($"'{path}' is a folder; give a model file ({Extension}) or a run folder.");
        if (!File.Exists(path))
            throw new ClassifierException($"Model file '{path}' does not exist.");
        try
        {
            using var stream = Data.InputFile.OpenRead(path, $"Model file '{path}'");
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new ClassifierException($"'{path}' is not a classify model file (it does not start with the model file signature).");
            int version = reader.ReadInt32();
            if (version > FormatVersion || version < 1)
                throw new ClassifierException(
                    $"Model file '{path}' has format version {version}; this classify reads versions 1 to {FormatVersion}. Use the classify version that wrote it, or a newer one.");
            int count = reader.ReadInt32();
            if (count is < 0 or > 64) throw Damaged(path, $"its section count {count} is impossible");
            var sections = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                long length = reader.ReadInt64();
                if (length < 0 || length > stream.Length - stream.Position)
                    throw Damaged(path, $"section '{name}' claims {length:N0} bytes but the file is shorter (truncated?)");
                var hash = reader.ReadBytes(32);
                var content = reader.ReadBytes((int)length);
                if (content.Length != length || hash.Length != 32)
                    throw Damaged(path, "it is truncated");
                if (!SHA256.HashData(content).AsSpan().SequenceEqual(hash))
                    throw Damaged(path, $"section '{name}' fails its checksum");
                sections[name] = content;
                if (name == stopAfter) break;
            }
            return sections;
        }
        catch (EndOfStreamException e)
        {
            throw Damaged(path, "it is truncated", e);
        }
        catch (IOException e)
        {
            throw new ClassifierException($"Could not read model file '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ClassifierException($"Could not read model file '{path}': permission denied.", e);
        }
    }

    private static ClassifierException Damaged(string path, string what, Exception? inner = null)
    {
        var message = $"Model file '{path}' is damaged: {what}. Retrain, or use another copy of the file.";
        return inner is null ? new ClassifierException(message) : new ClassifierException(message, inner);
    }
}
