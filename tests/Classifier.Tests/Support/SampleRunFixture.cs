namespace Classifier.Tests.Support;

/// <summary>
/// One short training run on the bundled sample (28 px, 1 epoch), shared by the eval, predict, plot and report
/// tests so that the suite trains on the sample only once. Training runs with GITHUB_STEP_SUMMARY pointing at a
/// file, so the CI summary of training can be checked too.
/// </summary>
public sealed class SampleRunFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public SampleRunFixture()
    {
        Run = _dir.Combine("sample-run");
        TrainSummary = _dir.Combine("train-summary.md");
        var previous = Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", TrainSummary);
        try
        {
            Train = CliRun.Of("train", SampleData.FashionMini, "--image-size", "28", "--epochs", "1", "-o", Run)
                .GetAwaiter().GetResult();
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", previous);
        }
        if (Train.ExitCode != 0) throw new InvalidOperationException("Sample training failed:\n" + Train);
    }

    /// <summary>The run folder.</summary>
    public string Run { get; }

    /// <summary>What training printed.</summary>
    public CliRun Train { get; }

    /// <summary>The step summary file training appended to.</summary>
    public string TrainSummary { get; }

    /// <summary>The sample's validation folder (300 images, 30 per class).</summary>
    public static string Val => Path.Combine(SampleData.FashionMini, "val");

    public void Dispose() => _dir.Dispose();
}
