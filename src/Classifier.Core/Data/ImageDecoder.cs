using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Classifier.Core.Data;

/// <summary>
/// Turns an image file into network-ready pixels: height x width x RGB bytes at the preprocessing's size.
/// Grayscale, palette, 16-bit and CMYK images become RGB; alpha is dropped as PIL's <c>convert("RGB")</c> does;
/// EXIF orientation is applied; animated images give their first frame. The header is read first, so an image
/// whose stated size is over <see cref="MaxPixels"/> is refused before any pixel buffer is allocated.
/// Safe to use from several threads at once.
/// </summary>
public sealed class ImageDecoder
{
    /// <summary>Default limit on width x height, about 90 megapixels (a decompression bomb guard).</summary>
    public const long DefaultMaxPixels = 90_000_000;

    private readonly Configuration _configuration;

    /// <summary>Creates a decoder for <paramref name="preprocessing"/>.</summary>
    public ImageDecoder(Preprocessing preprocessing, long maxPixels = DefaultMaxPixels)
    {
        Preprocessing = preprocessing;
        MaxPixels = maxPixels;
        _configuration = DecoderConfiguration.For(maxPixels);
    }

    /// <summary>
    /// How long one file may take to decode (wall clock) before it is given up as unreadable, so a file crafted to be
    /// slow (a progressive JPEG that repeats its scans thousands of times) costs at most this, with room for ordinary
    /// large photos on a busy machine (docs/bad-input.md has the figures).
    /// </summary>
    public static readonly TimeSpan DefaultDecodeTimeBudget = TimeSpan.FromSeconds(15);

    /// <summary>The time budget per file (see <see cref="DefaultDecodeTimeBudget"/>); must be positive.</summary>
    public TimeSpan DecodeTimeBudget
    {
        get => _decodeTimeBudget;
        init => _decodeTimeBudget = value > TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DecodeTimeBudget), value, "A decode time budget must be positive.");
    }

    private readonly TimeSpan _decodeTimeBudget = DefaultDecodeTimeBudget;

    /// <summary>The configuration files are identified and decoded with.</summary>
    internal Configuration Configuration => _configuration;

    /// <summary>The preprocessing this decoder applies.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The largest width x height accepted.</summary>
    public long MaxPixels { get; }

    /// <summary>
    /// Whether this decoder serves training's random crop. With <see cref="ResizeMode.Crop"/> it then writes the whole
    /// centre square of the scaled image, <see cref="AspectResize.CropSide"/> on a side, out of which
    /// <see cref="BatchLoader"/> cuts the network-size window (see <see cref="CropWindow"/>); other modes are unchanged.
    /// </summary>
    public bool KeepsCropMargin { get; init; }

    /// <summary>Side of the square this decoder writes: the network size, or the larger square of a training crop.</summary>
    public int DecodedSize => KeepsCropMargin && Preprocessing.Resize == ResizeMode.Crop
        ? AspectResize.CropSide(Preprocessing.ImageSize)
        : Preprocessing.ImageSize;

    /// <summary>Bytes of one decoded image: <see cref="DecodedSize"/> squared x RGB.</summary>
    public int DecodedBytes => DecodedSize * DecodedSize * Preprocessing.Channels;

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="destination"/> (exactly <see cref="DecodedBytes"/> bytes:
    /// <see cref="Data.Preprocessing.PixelBytes"/> unless <see cref="KeepsCropMargin"/>). Returns false with a one-line
    /// reason when the file cannot be used; never throws for bad file content. <paramref name="cancellation"/> (the
    /// verb's Ctrl+C or SIGTERM) stops a decode in progress at ImageSharp's next check, well before the time budget: it
    /// throws <see cref="OperationCanceledException"/> carrying that token, and the file is not reported as unreadable.
    /// </summary>
    public bool TryDecode(string path, Span<byte> destination, out string? error, CancellationToken cancellation = default)
    {
        if (destination.Length != DecodedBytes)
            throw new ArgumentException($"Destination must hold {DecodedBytes} bytes.", nameof(destination));
        try
        {
            if (!RegularFile.TryOpen(path, out var file, out var notAFile))
            {
                error = notAFile;
                return false;
            }
            using var fileHandle = file;
            long length = RandomAccess.GetLength(file);
            if (length > WholeFileReadLimit)
            {
                using var stream = new FileStream(file, FileAccess.Read, 64 * 1024);
                return TryDecode(stream, destination, out error, cancellation);
            }
            // Read in one call and decode from memory: for the small files of MNIST-style datasets the file system
            // and stream overheads are a large part of the cost.
            var bytes = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                int read = RandomAccess.Read(file, bytes.AsSpan(0, (int)length), 0);
                using var memory = new MemoryStream(bytes, 0, read, writable: false, publiclyVisible: true);
                return TryDecode(memory, destination, out error, cancellation);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
        catch (Exception e) when (DecodeFailure.IsFileProblem(e))
        {
            error = DecodeFailure.Describe(e);
            return false;
        }
    }

    /// <summary>Files up to this size are read into memory in one call; larger ones are streamed.</summary>
    private const long WholeFileReadLimit = 64L << 20;

    /// <summary>
    /// Decodes an image from a seekable <paramref name="stream"/> positioned at its start; the same checks and the
    /// same reasons and the same <paramref name="cancellation"/> as the path overload (the fuzzer and the server feed it
    /// from memory).
    /// </summary>
    internal bool TryDecode(Stream stream, Span<byte> destination, out string? error, CancellationToken cancellation = default)
    {
        if (destination.Length != DecodedBytes)
            throw new ArgumentException($"Destination must hold {DecodedBytes} bytes.", nameof(destination));
        cancellation.ThrowIfCancellationRequested();
        try
        {
            if (stream.Length == 0)
            {
                error = "empty file (0 bytes)";
                return false;
            }
            if (stream is not MemoryStream && IsLargePngToStream(stream))
                return TryDecodeFromMemory(stream, destination, out error, cancellation);
            if (stream is MemoryStream memory && memory.TryGetBuffer(out var bytes))
            {
                long pngPixels = LargeImageGate.PngPixels(bytes);
                if (pngPixels > LargeImageGate.LargePixels)
                {
                    // Streamed in a few rows' memory, so it need not wait for the gate. When it is declined (not a plain
                    // PNG, or damaged) ImageSharp decodes the file or names what is wrong with it.
                    if (TryDecodeLargePng(bytes, destination))
                    {
                        error = null;
                        return true;
                    }
                }
                else if (TryDecodeSimplePng(bytes, destination))
                {
                    error = null;
                    return true;
                }
            }
            if (ImageStructure.Problem(stream) is { } structureProblem)
            {
                error = structureProblem;
                return false;
            }
            var info = Image.Identify(_configuration, stream, out var format);
            if (info is null || format is null)
            {
                error = DecodeFailure.NotAnImage;
                return false;
            }
            if (SizeProblem(info.Width, info.Height) is { } problem)
            {
                error = problem;
                return false;
            }
            stream.Position = 0;
            using var turn = LargeImageGate.Enter((long)info.Width * info.Height, cancellation);
            using var image = LoadWithinBudget(stream, cancellation);
            image.Mutate(c => c.AutoOrient());
            // Animated images: only the first frame is network input.
            WriteAtNetworkSize(image.Frames.RootFrame, destination);
            error = null;
            return true;
        }
        catch (Exception e) when (DecodeFailure.IsFileProblem(e))
        {
            error = DecodeFailure.Describe(e);
            return false;
        }
    }

    /// <summary>
    /// Decodes through ImageSharp's cancellable load (its decoders check the token between markers, scans and rows) with
    /// one token that ends at the time budget or at <paramref name="cancellation"/>, whichever comes first. The budget's
    /// end is a reason to skip the file; the caller's cancellation is rethrown with the caller's token, so a
    /// <see cref="Parallel"/> loop or a verb given that token recognises it as its own.
    /// </summary>
    private Image<Rgb24> LoadWithinBudget(Stream stream, CancellationToken cancellation)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        budget.CancelAfter(DecodeTimeBudget);
        try
        {
            return Image.LoadAsync<Rgb24>(_configuration, stream, budget.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException("Decoding was cancelled.", e, cancellation);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            throw new DecodeTimeoutException(
                $"took longer than the {DecodeTimeBudget.TotalSeconds:0.###} s allowed to decode one file (crafted to be slow, e.g. thousands of JPEG scans?)");
        }
    }

    /// <summary>
    /// The fast path for plain 8-bit PNGs (see <see cref="SimplePng"/>): the same pixels as the ImageSharp path below,
    /// at a fraction of the cost for small images. False when <see cref="SimplePng"/> declines the file.
    /// </summary>
    private bool TryDecodeSimplePng(ReadOnlySpan<byte> file, Span<byte> destination)
    {
        if (!SimplePng.TryDecode(file, MaxPixels, out var rgb, out int width, out int height)) return false;
        try
        {
            WriteAtNetworkSize(MemoryMarshal.Cast<byte, Rgb24>(rgb.AsSpan(0, width * height * 3)), width, height, destination);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    /// <summary>
    /// True when <paramref name="stream"/> (at its start, left there) is a PNG over <see cref="LargeImageGate.LargePixels"/>
    /// small enough to read whole, so that <see cref="LargePng"/> can decode it row by row from memory.
    /// </summary>
    private static bool IsLargePngToStream(Stream stream)
    {
        if (stream.Length > WholeFileReadLimit) return false;
        Span<byte> header = stackalloc byte[24];
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return LargeImageGate.PngPixels(header[..read]) > LargeImageGate.LargePixels;
    }

    private bool TryDecodeFromMemory(Stream stream, Span<byte> destination, out string? error, CancellationToken cancellation)
    {
        int length = (int)stream.Length;
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int read = stream.ReadAtLeast(bytes.AsSpan(0, length), length, throwOnEndOfStream: false);
            using var memory = new MemoryStream(bytes, 0, read, writable: false, publiclyVisible: true);
            return TryDecode(memory, destination, out error, cancellation);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>A plain PNG over <see cref="LargeImageGate.LargePixels"/> decoded row by row (see <see cref="LargePng"/>).</summary>
    private bool TryDecodeLargePng(ReadOnlySpan<byte> file, Span<byte> destination)
    {
        int size = Preprocessing.ImageSize;
        // Its reductions shrink each axis by its own factor, which only squashing allows; crop and pad keep the aspect
        // ratio, so ImageSharp decodes such files (behind the large-image gate).
        if (Preprocessing.Resize != ResizeMode.Squash) return false;
        if (Preprocessing.Interpolation == Interpolation.Nearest) return LargePng.TrySampleNearest(file, MaxPixels, size, destination);
        if (!LargePng.TryReduce(file, MaxPixels, size, out var rgb, out int width, out int height)) return false;
        try
        {
            WriteAtNetworkSize(MemoryMarshal.Cast<byte, Rgb24>(rgb.AsSpan(0, width * height * 3)), width, height, destination);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    private void WriteAtNetworkSize(ImageFrame<Rgb24> frame, Span<byte> destination) =>
        NetworkSizeWriter.Write(frame, Preprocessing, DecodedSize, _configuration, destination);

    private void WriteAtNetworkSize(ReadOnlySpan<Rgb24> pixels, int width, int height, Span<byte> destination) =>
        NetworkSizeWriter.Write(pixels, width, height, Preprocessing, DecodedSize, _configuration, destination);

    /// <summary>The reason for refusing a header's stated size before decoding, or null when it is acceptable.</summary>
    internal string? SizeProblem(int width, int height)
    {
        if (width < 1 || height < 1) return $"invalid size {width}x{height}";
        long pixels = (long)width * height;
        return pixels > MaxPixels ? $"{width}x{height} pixels is over the limit of {MaxPixels:N0} (--max-pixels)" : null;
    }
}
