namespace Classifier.Core.Model.Zoo;

/// <summary>
/// The torchvision weight sets of each network (<see cref="NetworkSpec.TorchVisionWeights"/>), read in one place so
/// that a test can stand in a file it made for a network's entries: torchvision's real files cannot be reached from
/// a test, and their names carry their real hashes.
/// </summary>
internal static class PublishedWeights
{
    private static readonly AsyncLocal<IReadOnlyDictionary<string, IReadOnlyList<TorchVisionWeights>>?> Substitutes = new();

    /// <summary>The weight sets of <paramref name="spec"/>, its torchvision DEFAULT first.</summary>
    public static IReadOnlyList<TorchVisionWeights> Of(NetworkSpec spec) =>
        Substitutes.Value is { } substitutes && substitutes.TryGetValue(spec.Name, out var list) ? list : spec.TorchVisionWeights;

    /// <summary>
    /// For tests: until the result is disposed, <paramref name="network"/>'s weight sets are <paramref name="weights"/>
    /// in this execution context (and the tasks it starts).
    /// </summary>
    public static IDisposable Substitute(string network, params TorchVisionWeights[] weights)
    {
        var previous = Substitutes.Value;
        var next = new Dictionary<string, IReadOnlyList<TorchVisionWeights>>(previous ?? new Dictionary<string, IReadOnlyList<TorchVisionWeights>>())
        {
            [network] = weights,
        };
        Substitutes.Value = next;
        return new Restore(() => Substitutes.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
