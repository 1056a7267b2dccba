using Classifier.Core;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Runs;

public sealed class HistoryCsvTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_StartsWithTheKerasCsvLoggerColumns_AndRoundTrips()
    {
        var rows = new[] { new HistoryRow(1, 0.5, 1.25, 0.4, 1.5, 0.001, 2.5), new HistoryRow(2, 0.6, 1.0, 0.55, 1.2, 0.001, 2.25) };
        var path = _dir.Combine("history.csv");

        HistoryCsv.Write(path, rows);

        Assert.StartsWith("epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds\n", File.ReadAllText(path));
        Assert.Equal(rows, HistoryCsv.Read(path));
    }

    [Fact]
    public void Read_IgnoresExtraColumns_AndToleratesMissingOptionalOnes()
    {
        var path = _dir.Combine("keras.csv");
        File.WriteAllText(path, "epoch,accuracy,loss,val_accuracy,val_loss,lr_extra\n0,0.5,1.0,0.4,1.1,9\n");

        var row = Assert.Single(HistoryCsv.Read(path));

        Assert.Equal(0.4, row.ValAccuracy);
        Assert.True(double.IsNaN(row.Seconds));
    }

    [Fact]
    public void Read_WithoutARequiredColumn_NamesTheColumnAndFile()
    {
        var path = _dir.Combine("bad.csv");
        File.WriteAllText(path, "epoch,accuracy,loss\n1,0.5,1.0\n");
        var e = Assert.Throws<ClassifierException>(() => HistoryCsv.Read(path));
        Assert.Contains("val_accuracy, val_loss", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Read_WithATextValue_NamesTheLine()
    {
        var path = _dir.Combine("bad.csv");
        File.WriteAllText(path, "epoch,accuracy,loss,val_accuracy,val_loss\n1,0.5,1.0,0.4,1.1\n2,oops,1,1,1\n");
        var e = Assert.Throws<ClassifierException>(() => HistoryCsv.Read(path));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("accuracy", e.Message);
    }
}
