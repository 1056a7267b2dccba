namespace Classifier.Tests.Support;

/// <summary>
/// Trait values for <c>[Trait("Category", ...)]</c>. Locally, <c>dotnet test --filter "Category!=Slow"</c> leaves the
/// slow tests out; CI (<c>.ci/run</c>) runs everything.
/// </summary>
public static class TestCategories
{
    /// <summary>Tests that train for many epochs or start and kill real processes: minutes rather than seconds.</summary>
    public const string Slow = "Slow";
}
