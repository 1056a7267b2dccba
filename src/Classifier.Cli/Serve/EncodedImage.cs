namespace Classifier.Cli.Serve;

/// <summary>An image file as a request carried it: its name (the row's <c>path</c>) and its first <paramref name="Length"/> bytes.</summary>
internal sealed record EncodedImage(string Name, byte[] Bytes, int Length);
