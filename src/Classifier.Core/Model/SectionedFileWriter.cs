using System.Security.Cryptography;
using System.Text;

namespace Classifier.Core.Model;

/// <summary>
/// Writes the model file's container (magic, format version, section count, then per section its name, int64 length,
/// SHA-256 and content) to a seekable stream, one section at a time: each content streams to the file through a hash,
/// and its length and hash are filled in behind it. Memory stays at the stream's buffer whatever the section sizes;
/// the bytes on disk are the same as if every section had been built in memory first.
/// </summary>
internal static class SectionedFileWriter
{
    private const int HashBytes = 32;

    /// <summary>Writes <paramref name="sections"/> after <paramref name="magic"/> and <paramref name="formatVersion"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> magic, int formatVersion, IReadOnlyList<ModelFileSection> sections)
    {
        if (!stream.CanSeek)
            throw new ArgumentException("The model file's stream must be seekable: section lengths and hashes are filled in after their content.", nameof(stream));
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(magic);
        writer.Write(formatVersion);
        writer.Write(sections.Count);
        foreach (var section in sections)
        {
            writer.Write(section.Name);
            writer.Flush();
            long header = stream.Position;
            writer.Write(0L);
            writer.Write(new byte[HashBytes]);
            writer.Flush();
            long start = stream.Position;
            byte[] hash;
            using (var hashing = new HashingStream(stream))
            {
                using (var content = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
                    section.Write(content);
                hash = hashing.Hash();
            }
            long end = stream.Position;
            stream.Position = header;
            writer.Write(end - start);
            writer.Write(hash);
            writer.Flush();
            stream.Position = end;
        }
    }

    /// <summary>Passes writes on to the file and hashes them (SHA-256) on the way.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _written;

        public byte[] Hash() => _hash.GetHashAndReset();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
