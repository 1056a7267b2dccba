using Classifier.Core.Model;

namespace Classifier.Core.Training;

/// <summary>
/// Checks that a run's <c>last.cls</c> was written by that run's options before resuming touches any file: a
/// checkpoint copied in from another run (another image size, filter or network) would otherwise fail deep inside
/// the network, after history.csv had already been rewritten with the other run's history.
/// </summary>
internal static class ResumeCheck
{
    /// <summary>Throws a <see cref="ClassifierException"/> naming the first field where <paramref name="info"/> and <paramref name="options"/> differ.</summary>
    public static void RequireMatch(string runDir, string checkpointPath, ModelInfo info, TrainOptions options)
    {
        var expected = options.Preprocessing;
        var mismatch =
            info.Architecture != options.Model ? $"network '{info.Architecture}', the run's options say '{options.Model}'"
            : info.Preprocessing.ImageSize != expected.ImageSize ? $"image size {info.Preprocessing.ImageSize} px, the run's options say {expected.ImageSize} px"
            : info.Preprocessing.Interpolation != expected.Interpolation ? $"interpolation {info.Preprocessing.Interpolation}, the run's options say {expected.Interpolation}"
            : info.Preprocessing.Resize != expected.Resize ? $"resize {info.Preprocessing.Resize}, the run's options say {expected.Resize}"
            : !info.Preprocessing.Equals(expected) ? "channel order, pixel scale, mean or std differ from what the run's model expects"
            : null;
        if (mismatch is not null)
            throw new ClassifierException(
                $"'{checkpointPath}' was not written by the run in '{runDir}' ({mismatch}); nothing was changed. Put back the run's own {Runs.RunFolder.LastModelName}, or start a new run.");
    }
}
