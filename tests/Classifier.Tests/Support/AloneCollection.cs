namespace Classifier.Tests.Support;

/// <summary>
/// Tests that watch the whole process run in this collection, after every other collection and never beside one:
/// <list type="bullet">
/// <item>the garbage collector: a collection another test forces at the same moment (eval forces a full one before it
/// builds an ONNX Runtime session) can take the place of the test's own and leave what it watches unfinalized;</item>
/// <item>peak resident memory and allocated bytes, which count every thread: a zoo network loaded beside a decoder
/// test would be charged to the decoder.</item>
/// </list>
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
