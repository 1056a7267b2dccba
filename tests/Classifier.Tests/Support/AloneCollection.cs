namespace Classifier.Tests.Support;

/// <summary>
/// Tests that watch the garbage collector run in this collection, after every other collection and never beside one:
/// a collection another test forces at the same moment (eval builds an ONNX Runtime session after a full, compacting
/// collection) can take the test's own collection's place and leave what it watches unfinalized.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
