namespace Classifier.Core.Data;

/// <summary>Whether decoded images are kept in memory between epochs.</summary>
public enum CacheMode
{
    /// <summary>Cache uint8 pixels up to a budget of a quarter of available memory (at most 8 GiB).</summary>
    Auto,

    /// <summary>Cache up to the budget given by the user.</summary>
    Ram,

    /// <summary>Decode every image every epoch; memory does not grow with the dataset.</summary>
    None,
}
