using System.Security.Cryptography;
using Classifier.Core.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace Classifier.Core.Checking;

/// <summary>
/// Reads one file without changing it: hashes its bytes, identifies it from the header, refuses it before decoding
/// when the header states too many pixels, and otherwise decodes it with the same <see cref="ImageDecoder"/> training
/// uses, so a file check calls bad is exactly a file training would skip. Safe to use from several threads.
/// </summary>
internal sealed class ImageInspector(long maxPixels)
{
    /// <summary>Decoding to a tiny size proves the whole file decodes while keeping the resize cheap.</summary>
    private readonly ImageDecoder _decoder = new(new Preprocessing(8, Interpolation.Nearest, 1f / 255), maxPixels);

    /// <summary>Inspects <paramref name="path"/>; <paramref name="cancellation"/> also stops its decode in progress.</summary>
    public ImageInspection Inspect(string path, CancellationToken cancellation = default)
    {
        long length = 0;
        string? hash = null;
        try
        {
            if (!RegularFile.TryOpen(path, out var file, out var notAFile))
                return Failed(path, 0, null, FindingKinds.Unreadable, notAFile);
            using var stream = new FileStream(file, FileAccess.Read, 64 * 1024);
            length = stream.Length;
            if (length == 0)
                return Failed(path, 0, null, FindingKinds.EmptyFile, "empty file (0 bytes)");
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (ImageStructure.Problem(stream) is { } structureProblem)
                return Failed(path, length, hash, FindingKinds.Corrupt, structureProblem);

            IImageInfo? info;
            IImageFormat? format;
            try
            {
                info = Image.Identify(_decoder.Configuration, stream, out format);
            }
            catch (Exception e) when (DecodeFailure.IsFileProblem(e))
            {
                return Failed(path, length, hash, FindingKinds.Corrupt, DecodeFailure.Describe(e));
            }
            if (info is null || format is null)
                return Failed(path, length, hash, FindingKinds.UnsupportedFormat, DecodeFailure.NotAnImage);

            var formatName = format.Name.ToUpperInvariant();
            var colour = ColourModes.Describe(format, info);
            var orientation = info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value;
            var inspection = new ImageInspection(path, length, hash, formatName, info.Width, info.Height, colour,
                orientation, null, null);
            if (_decoder.SizeProblem(info.Width, info.Height) is { } sizeProblem)
                return inspection with { ProblemKind = FindingKinds.TooLarge, Problem = sizeProblem };

            stream.Position = 0;
            var pixels = new byte[_decoder.Preprocessing.PixelBytes];
            if (!_decoder.TryDecode(stream, pixels, out var error, cancellation))
                return inspection with { ProblemKind = FindingKinds.Corrupt, Problem = error };
            return inspection;
        }
        catch (Exception e) when (DecodeFailure.IsFileProblem(e))
        {
            return Failed(path, length, hash, FindingKinds.Unreadable, DecodeFailure.Describe(e));
        }
    }

    private static ImageInspection Failed(string path, long length, string? hash, string kind, string reason) =>
        new(path, length, hash, null, 0, 0, null, null, kind, reason);
}
