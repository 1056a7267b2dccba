namespace Classifier.Tests.Support;

/// <summary>Test classes in this collection share one <see cref="SampleRunFixture"/> (one training run).</summary>
[CollectionDefinition(Name)]
public sealed class SampleRunCollection : ICollectionFixture<SampleRunFixture>
{
    public const string Name = "sample run";
}
