using System.Security.Cryptography;
using System.Text;
using Classifier.Core.Data;

namespace Classifier.Core.Runs;

/// <summary>
/// <c>files.csv</c> in a run folder: every image the run trained on and validated on, as
/// <c>split,class,path,sha256</c>, where <c>split</c> is <c>train</c> or <c>validation</c>, <c>path</c> is relative
/// to the split's data folder (the roots are in the first two rows, with <c>class</c> and <c>sha256</c> empty) and
/// <c>sha256</c> is the hash of the file's bytes, so a copy of a training image under another name is still
/// recognised. <c>eval</c> uses it to warn when the images it is given were trained on, and
/// <c>eval --split validation</c> to evaluate exactly the run's held-out images.
/// </summary>
public sealed class TrainingFiles
{
    /// <summary>The <c>split</c> value of training images.</summary>
    public const string TrainSplit = "train";

    /// <summary>The <c>split</c> value of validation images.</summary>
    public const string ValidationSplit = "validation";

    private const string RootRow = "root";

    private TrainingFiles(string trainRoot, string validationRoot, IReadOnlyList<TrainingFile> files)
    {
        TrainRoot = trainRoot;
        ValidationRoot = validationRoot;
        Files = files;
    }

    /// <summary>The training data folder.</summary>
    public string TrainRoot { get; }

    /// <summary>The validation data folder (the training folder itself for a split).</summary>
    public string ValidationRoot { get; }

    /// <summary>True when validation images were split off the training folder rather than read from their own.</summary>
    public bool IsSplit => TrainRoot == ValidationRoot;

    /// <summary>Every recorded image, training images first.</summary>
    public IReadOnlyList<TrainingFile> Files { get; }

    /// <summary>
    /// Hashes every image of <paramref name="train"/> and <paramref name="validation"/>, writes the list to
    /// <paramref name="path"/> atomically and returns it.
    /// </summary>
    public static TrainingFiles Write(string path, Dataset train, Dataset validation)
    {
        var files = new List<TrainingFile>();
        foreach (var (split, data) in new[] { (TrainSplit, train), (ValidationSplit, validation) })
            foreach (var image in data.Images)
                files.Add(new TrainingFile(split, data.ClassNames[image.Label], Path.GetRelativePath(data.Root, image.Path), Sha256(image.Path)));
        var text = new StringBuilder("split,class,path,sha256\n");
        text.Append($"{TrainSplit},,{Csv.Escape(train.Root)},{RootRow}\n");
        text.Append($"{ValidationSplit},,{Csv.Escape(validation.Root)},{RootRow}\n");
        foreach (var file in files)
            text.Append(file.Split).Append(',').Append(Csv.Escape(file.ClassName)).Append(',')
                .Append(Csv.Escape(file.Path)).Append(',').Append(file.Sha256).Append('\n');
        AtomicFile.WriteText(path, text.ToString());
        return new TrainingFiles(train.Root, validation.Root, files);
    }

    /// <summary>Reads the list of <paramref name="runFolder"/>, or null when the run has none (runs made before it existed).</summary>
    public static TrainingFiles? TryRead(string runFolder)
    {
        var path = Path.Combine(runFolder, RunFolder.FilesName);
        if (!File.Exists(path)) return null;
        string? trainRoot = null, validationRoot = null;
        var files = new List<TrainingFile>();
        foreach (var line in Records(path).Skip(1))
        {
            var cells = Csv.Split(line);
            if (cells.Count != 4 || cells[0] is not (TrainSplit or ValidationSplit))
                throw new ClassifierException($"'{path}' is not a classify {RunFolder.FilesName}: unexpected row '{line}'.");
            if (cells[3] == RootRow)
            {
                if (cells[0] == TrainSplit) trainRoot = cells[2];
                else validationRoot = cells[2];
            }
            else
            {
                files.Add(new TrainingFile(cells[0], cells[1], cells[2], cells[3]));
            }
        }
        if (trainRoot is null || validationRoot is null)
            throw new ClassifierException($"'{path}' is not a classify {RunFolder.FilesName}: the data folders are missing.");
        return new TrainingFiles(trainRoot, validationRoot, files);
    }

    /// <summary>The file's records; a quoted field may hold a line break (a file name can), so a record can span lines.</summary>
    private static IEnumerable<string> Records(string path)
    {
        string? pending = null;
        foreach (var line in File.ReadLines(path))
        {
            pending = pending is null ? line : pending + "\n" + line;
            if (pending.Count(c => c == '"') % 2 == 0)
            {
                yield return pending;
                pending = null;
            }
        }
        if (pending is not null) yield return pending;
    }

    /// <summary>
    /// The images of one split as a dataset labelled with <paramref name="classNames"/> (the model's classes), read
    /// from where they were when the run started. A file that is gone or whose content changed is refused, naming it,
    /// since the figure would no longer be the run's own.
    /// </summary>
    public Dataset Images(string split, IReadOnlyList<string> classNames)
    {
        var root = split == TrainSplit ? TrainRoot : ValidationRoot;
        var index = classNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var images = new List<LabeledImage>();
        foreach (var file in Files.Where(f => f.Split == split))
        {
            var full = Path.Combine(root, file.Path);
            if (!File.Exists(full))
                throw new ClassifierException($"The run's {split} image '{full}' no longer exists; the run's own {split} images cannot be evaluated.");
            if (Sha256(full) != file.Sha256)
                throw new ClassifierException($"The run's {split} image '{full}' has changed since training; the run's own {split} images cannot be evaluated.");
            if (!index.TryGetValue(file.ClassName, out int label))
                throw new ClassifierException($"The run's {split} image '{full}' is of class '{file.ClassName}', which the model does not know.");
            images.Add(new LabeledImage(full, label));
        }
        if (images.Count == 0)
            throw new ClassifierException($"The run recorded no {split} images.");
        return new Dataset(root, classNames, images, []);
    }

    /// <summary>How many of <paramref name="paths"/> have the content of a training image, and how many of a validation image.</summary>
    public TrainingOverlap Overlap(IEnumerable<string> paths)
    {
        var train = Files.Where(f => f.Split == TrainSplit).Select(f => f.Sha256).ToHashSet(StringComparer.Ordinal);
        var validation = Files.Where(f => f.Split == ValidationSplit).Select(f => f.Sha256).ToHashSet(StringComparer.Ordinal);
        int inTrain = 0, inValidation = 0;
        foreach (var path in paths)
        {
            var hash = Sha256(path);
            if (hash.Length == 0) continue;
            if (train.Contains(hash)) inTrain++;
            if (validation.Contains(hash)) inValidation++;
        }
        return new TrainingOverlap(inTrain, inValidation);
    }

    /// <summary>
    /// The SHA-256 of the file's bytes in lower-case hex, or an empty string when it cannot be read or is not a regular
    /// file (a FIFO would block the open forever; a device never ends).
    /// </summary>
    public static string Sha256(string path)
    {
        try
        {
            if (!Data.RegularFile.TryOpen(path, out var file, out _)) return "";
            using var stream = new FileStream(file, FileAccess.Read, 64 * 1024);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // an unreadable file is skipped by training too; it matches nothing
        }
    }
}
