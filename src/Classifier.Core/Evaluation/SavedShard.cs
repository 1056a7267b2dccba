namespace Classifier.Core.Evaluation;

/// <summary>
/// What a shard's <c>metrics.json</c> (<c>eval --shard K/N</c>) holds beyond the counts of any evaluation: which part
/// of which folder it is and its misclassified images, so that <see cref="ShardMerge"/> can add the shards up exactly.
/// </summary>
/// <param name="Index">The shard's index, from 0.</param>
/// <param name="Count">How many shards the folder was cut into.</param>
/// <param name="FolderImages">Images in the whole data folder.</param>
/// <param name="ModelSha256">SHA-256 of the model file the shard evaluated; null in files written before it was recorded.</param>
/// <param name="DataSha256">The data folder's identity (<see cref="Sharding.ShardSelection.DataSha256"/>); null in older files.</param>
/// <param name="Errors">Every misclassified image of the shard, with its position in the whole folder.</param>
public sealed record SavedShard(int Index, int Count, int FolderImages, string? ModelSha256, string? DataSha256,
    IReadOnlyList<SavedError> Errors);
