using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

[Collection(SampleRunCollection.Name)]
public sealed class EvalDataFolderTests(SampleRunFixture sample)
{
    [Fact]
    public async Task Eval_OnAFolderOfTrainAndVal_AsksWhetherValWasMeant()
    {
        var result = await CliRun.Of("eval", "--model", sample.Run, SampleData.FashionMini);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains($"did you mean {Path.Combine(SampleData.FashionMini, "val")}?", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
