#:package SixLabors.ImageSharp
// Converts MNIST-style IDX files (e.g. Debian's dataset-fashion-mnist) into the folder layout classify reads:
// OUT/<class name>/<index>.png, 28x28 grayscale.
//   dotnet run samples/recipes/idx-to-folders.cs -- IMAGES.gz LABELS.gz OUT_DIR [class names, comma-separated]
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: idx-to-folders IMAGES-idx3-ubyte[.gz] LABELS-idx1-ubyte[.gz] OUT_DIR [name0,name1,...]");
    return 2;
}
string[] names = args.Length > 3
    ? args[3].Split(',')
    : ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"];

byte[] images = Read(args[0]), labels = Read(args[1]);
int count = BigEndian(images, 4), rows = BigEndian(images, 8), cols = BigEndian(images, 12);
if (BigEndian(images, 0) != 0x803 || BigEndian(labels, 0) != 0x801 || BigEndian(labels, 4) != count)
{
    Console.Error.WriteLine("error: not a matching pair of IDX image (magic 0x803) and label (0x801) files.");
    return 2;
}
for (int i = 0; i < count; i++)
{
    int label = labels[8 + i];
    var dir = Path.Combine(args[2], names[label]);
    Directory.CreateDirectory(dir);
    using var image = Image.LoadPixelData<L8>(images.AsSpan(16 + i * rows * cols, rows * cols), cols, rows);
    image.SaveAsPng(Path.Combine(dir, $"{i:D5}.png"));
}
Console.WriteLine($"Wrote {count:N0} images of {rows}x{cols} into {names.Length} class folders under {args[2]}");
return 0;

static byte[] Read(string path)
{
    using var file = File.OpenRead(path);
    using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    return buffer.ToArray();
}

static int BigEndian(byte[] data, int offset) =>
    data[offset] << 24 | data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3];
