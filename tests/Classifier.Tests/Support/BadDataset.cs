namespace Classifier.Tests.Support;

/// <summary>
/// A data folder (train/ and val/) holding one file of each bad kind, named after it, beside enough good images to
/// train on. <see cref="Unreadable"/> maps each file training must skip to a word its reason contains.
/// </summary>
public sealed class BadDataset
{
    public BadDataset(string root)
    {
        Root = root;
        Train = Path.Combine(root, "train");
        Val = Path.Combine(root, "val");
        var cat = Path.Combine(Train, "cat");
        var dog = Path.Combine(Train, "dog");
        for (int i = 0; i < 6; i++)
        {
            BadFiles.GoodPng(Path.Combine(cat, $"good{i}.png"), 100 + i);
            BadFiles.GoodPng(Path.Combine(dog, $"good{i}.png"), 200 + i);
            BadFiles.GoodPng(Path.Combine(Val, "cat", $"v{i}.png"), 300 + i);
            BadFiles.GoodPng(Path.Combine(Val, "dog", $"v{i}.png"), 400 + i);
        }
        Unreadable = new Dictionary<string, string>
        {
            [BadFiles.Empty(Path.Combine(cat, "zero-bytes.png"))] = "empty file",
            [BadFiles.TruncatedJpeg(Path.Combine(cat, "truncated.jpg"))] = "corrupt",
            [BadFiles.BadCrcPng(Path.Combine(dog, "bad-crc.png"))] = "CRC",
            [BadFiles.TextAsImage(Path.Combine(dog, "text.jpg"))] = "not an image",
            [BadFiles.UnsupportedFormat(Path.Combine(cat, "portable-pixmap.bmp"))] = "not an image",
            [BadFiles.HugeHeaderPng(Path.Combine(dog, "bomb.png"))] = "60000x60000",
        };
        Tiny = TestImages.Solid(Path.Combine(cat, "tiny.png"), 4, 10, 20, 30);
        Mismatch = BadFiles.PngNamedJpeg(Path.Combine(dog, "really-a-png.jpg"), 500);
        DuplicateInClass = BadFiles.Copy(Path.Combine(cat, "good0.png"), Path.Combine(cat, "good0-copy.png"));
        LabelConflict = BadFiles.Copy(Path.Combine(cat, "good1.png"), Path.Combine(dog, "also-good1.png"));
        Leak = BadFiles.Copy(Path.Combine(cat, "good2.png"), Path.Combine(Val, "cat", "leaked.png"));
        EmptyClass = Path.Combine(Train, "fish");
        Directory.CreateDirectory(EmptyClass);
        File.WriteAllText(Path.Combine(cat, ".DS_Store"), "mac");
        File.WriteAllText(Path.Combine(dog, "Thumbs.db"), "windows");
        File.WriteAllText(Path.Combine(Train, "README.txt"), "about this data");
    }

    public string Root { get; }
    public string Train { get; }
    public string Val { get; }
    public IReadOnlyDictionary<string, string> Unreadable { get; }
    public string Tiny { get; }
    public string Mismatch { get; }
    public string DuplicateInClass { get; }
    public string LabelConflict { get; }
    public string Leak { get; }
    public string EmptyClass { get; }
}
