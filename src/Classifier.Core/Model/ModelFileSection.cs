namespace Classifier.Core.Model;

/// <summary>
/// One named section of a model file, described by the code that writes its content, so that the content goes straight
/// to the file (see <see cref="SectionedFileWriter"/>) instead of being built in memory first: at 224 px a checkpoint
/// is over 500 MB.
/// </summary>
/// <param name="Name">The section's name ("info", "weights", "optimizer", ...).</param>
/// <param name="Write">Writes the section's content.</param>
public sealed record ModelFileSection(string Name, Action<BinaryWriter> Write)
{
    /// <summary>A section whose content is already at hand (small ones: the info and trainer JSON).</summary>
    public static ModelFileSection FromBytes(string name, byte[] content) => new(name, writer => writer.Write(content));
}
