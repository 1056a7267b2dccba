using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Classifier.Core.Data;

/// <summary>
/// Inflates a zlib stream into a buffer of known size. For the small PNGs of MNIST-style datasets, setting up a
/// <see cref="ZLibStream"/> (window and state allocation) costs more than inflating the data, so where the system
/// zlib (<c>libz.so.1</c>, present on every Linux distribution) can be loaded each thread keeps one z_stream and resets
/// it per image. Elsewhere, or if it cannot be loaded, <see cref="ZLibStream"/> does the work. The difference is the
/// per-stream setup, which a PNG of a few hundred bytes cannot amortise (docs/performance.md, "Figures behind the
/// code's choices").
/// </summary>
internal static unsafe class ZlibInflater
{
    private const string Library = "libz.so.1";
    private const int Ok = 0, StreamEnd = 1, NoFlush = 0, MaxWindowBits = 15;

    private static readonly bool NativeAvailable = OperatingSystem.IsLinux() && Environment.Is64BitProcess && CanLoad();

    [ThreadStatic] private static NativeStream? _stream;

    /// <summary>
    /// Inflates <paramref name="compressed"/> into <paramref name="output"/>; true when it filled all of
    /// <paramref name="output"/> without error (data after that is ignored, as PNG decoders do).
    /// </summary>
    public static bool TryInflate(ReadOnlySpan<byte> compressed, Span<byte> output)
    {
        if (NativeAvailable && (_stream ??= NativeStream.Create()) is { } stream) return stream.Inflate(compressed, output);
        return TryInflateManaged(compressed, output);
    }

    /// <summary>Receives one inflated piece of a stream; false stops inflating.</summary>
    public delegate bool PieceHandler(Span<byte> piece);

    /// <summary>
    /// Inflates <paramref name="compressed"/> as <paramref name="count"/> consecutive pieces of
    /// <paramref name="piece"/>'s length, each written into <paramref name="piece"/> and handed to
    /// <paramref name="handler"/> before the next, so a large stream never exists whole in memory. True when every piece
    /// was filled and handled.
    /// </summary>
    public static bool TryInflatePieces(ReadOnlySpan<byte> compressed, Span<byte> piece, int count, PieceHandler handler)
    {
        if (NativeAvailable && (_stream ??= NativeStream.Create()) is { } stream) return stream.InflatePieces(compressed, piece, count, handler);
        return TryInflatePiecesManaged(compressed, piece, count, handler);
    }

    /// <summary>The same with <see cref="ZLibStream"/>.</summary>
    internal static bool TryInflatePiecesManaged(ReadOnlySpan<byte> compressed, Span<byte> piece, int count, PieceHandler handler)
    {
        if (compressed.IsEmpty || piece.IsEmpty) return false;
        try
        {
            fixed (byte* pointer = compressed)
            {
                using var source = new UnmanagedMemoryStream(pointer, compressed.Length);
                using var zlib = new ZLibStream(source, CompressionMode.Decompress);
                for (int i = 0; i < count; i++)
                    if (zlib.ReadAtLeast(piece, piece.Length, throwOnEndOfStream: false) != piece.Length || !handler(piece))
                        return false;
                return true;
            }
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>True when the system zlib is in use.</summary>
    internal static bool UsesSystemZlib => NativeAvailable;

    /// <summary>The same with <see cref="ZLibStream"/>.</summary>
    internal static bool TryInflateManaged(ReadOnlySpan<byte> compressed, Span<byte> output)
    {
        if (compressed.IsEmpty || output.IsEmpty) return false;
        try
        {
            fixed (byte* pointer = compressed)
            {
                using var source = new UnmanagedMemoryStream(pointer, compressed.Length);
                using var zlib = new ZLibStream(source, CompressionMode.Decompress);
                return zlib.ReadAtLeast(output, output.Length, throwOnEndOfStream: false) == output.Length;
            }
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static bool CanLoad()
    {
        if (!NativeLibrary.TryLoad(Library, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>zlib's z_stream on 64-bit Unix (unsigned long is 64 bits there).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [DllImport(Library, EntryPoint = "zlibVersion")]
    private static extern nint ZlibVersion();

    [DllImport(Library, EntryPoint = "inflateInit2_")]
    private static extern int InflateInit2(ZStream* stream, int windowBits, nint version, int streamSize);

    [DllImport(Library, EntryPoint = "inflateReset")]
    private static extern int InflateReset(ZStream* stream);

    [DllImport(Library, EntryPoint = "inflate")]
    private static extern int Inflate(ZStream* stream, int flush);

    [DllImport(Library, EntryPoint = "inflateEnd")]
    private static extern int InflateEnd(ZStream* stream);

    /// <summary>One thread's z_stream, in native memory so it never moves; freed when the thread's reference dies.</summary>
    private sealed class NativeStream
    {
        private readonly ZStream* _stream;

        private NativeStream(ZStream* stream) => _stream = stream;

        public static NativeStream? Create()
        {
            var stream = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
            if (InflateInit2(stream, MaxWindowBits, ZlibVersion(), sizeof(ZStream)) == Ok) return new NativeStream(stream);
            NativeMemory.Free(stream);
            return null;
        }

        ~NativeStream()
        {
            InflateEnd(_stream);
            NativeMemory.Free(_stream);
        }

        public bool InflatePieces(ReadOnlySpan<byte> compressed, Span<byte> piece, int count, PieceHandler handler)
        {
            if (compressed.IsEmpty || piece.IsEmpty) return false;
            if (InflateReset(_stream) != Ok) return false;
            try
            {
                fixed (byte* input = compressed)
                fixed (byte* destination = piece)
                {
                    _stream->NextIn = input;
                    _stream->AvailIn = (uint)compressed.Length;
                    bool ended = false;
                    for (int i = 0; i < count; i++)
                    {
                        if (ended) return false;
                        _stream->NextOut = destination;
                        _stream->AvailOut = (uint)piece.Length;
                        while (_stream->AvailOut > 0)
                        {
                            uint inBefore = _stream->AvailIn, outBefore = _stream->AvailOut;
                            int status = ZlibInflater.Inflate(_stream, NoFlush);
                            if (status == StreamEnd)
                            {
                                ended = true;
                                break;
                            }
                            if (status != Ok || (_stream->AvailIn == inBefore && _stream->AvailOut == outBefore)) return false;
                        }
                        if (_stream->AvailOut != 0 || !handler(piece)) return false;
                    }
                    return true;
                }
            }
            finally
            {
                _stream->NextIn = _stream->NextOut = null;
            }
        }

        public bool Inflate(ReadOnlySpan<byte> compressed, Span<byte> output)
        {
            if (compressed.IsEmpty || output.IsEmpty) return false;
            if (InflateReset(_stream) != Ok) return false;
            fixed (byte* input = compressed)
            fixed (byte* destination = output)
            {
                _stream->NextIn = input;
                _stream->AvailIn = (uint)compressed.Length;
                _stream->NextOut = destination;
                _stream->AvailOut = (uint)output.Length;
                while (_stream->AvailOut > 0)
                {
                    uint inBefore = _stream->AvailIn, outBefore = _stream->AvailOut;
                    int status = ZlibInflater.Inflate(_stream, NoFlush);
                    if (status == StreamEnd) break;
                    // Corrupt data, or no progress (the input ran out before the output was full).
                    if (status != Ok || (_stream->AvailIn == inBefore && _stream->AvailOut == outBefore)) return false;
                }
                bool filled = _stream->AvailOut == 0;
                _stream->NextIn = _stream->NextOut = null;
                return filled;
            }
        }
    }
}
