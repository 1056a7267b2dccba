using System.Text.RegularExpressions;
using Classifier.Cli.Output;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

[Collection(SampleRunCollection.Name)]
public sealed partial class TrainCostTests(SampleRunFixture sample)
{
    [Fact]
    public void Train_EndsBySayingTheRunFoldersSizeAndThePeakMemory()
    {
        var lines = sample.Train.Out.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var disk = Assert.Single(lines, l => l.StartsWith("Disk:", StringComparison.Ordinal));
        var memory = Assert.Single(lines, l => l.StartsWith("Memory:", StringComparison.Ordinal));

        // The sample's last.cls at 28 px is a few MB; the line names it with its size for --resume.
        long last = new FileInfo(Path.Combine(sample.Run, RunFolder.LastModelName)).Length;
        Assert.Contains($"last.cls {ByteSize.Format(last)}", disk);
        var folder = SizeIn(disk);
        Assert.InRange(folder, last, FolderSize.Bytes(sample.Run) * 1.01);
        Assert.InRange(SizeIn(memory), 50.0 * (1 << 20), 64.0 * (1 << 30));
    }

    [Theory]
    [InlineData(532_816_267, "508 MiB")]
    [InlineData(1_998_000_000, "1.86 GiB")]
    [InlineData(20_480, "20.0 KiB")]
    [InlineData(999, "999 bytes")]
    public void ByteSize_ShowsThreeSignificantFiguresInBinaryUnits(long bytes, string shown) =>
        Assert.Equal(shown, ByteSize.Format(bytes));

    [Fact]
    public void FolderSize_CountsTheFilesOfSubfoldersToo()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.Combine("a.bin"), new byte[1000]);
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllBytes(dir.Combine("sub", "b.bin"), new byte[234]);

        Assert.Equal(1234, FolderSize.Bytes(dir.Path));
        Assert.Equal(0, FolderSize.Bytes(dir.Combine("missing")));
    }

    /// <summary>The first "12.3 MiB"-style size in a line, in bytes.</summary>
    private static double SizeIn(string line)
    {
        var match = SizePattern().Match(line);
        Assert.True(match.Success, line);
        int power = Array.IndexOf(["bytes", "KiB", "MiB", "GiB"], match.Groups[2].Value);
        return double.Parse(match.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture) * Math.Pow(1024, power);
    }

    [GeneratedRegex(@"([\d.,]+) (bytes|KiB|MiB|GiB)")]
    private static partial Regex SizePattern();
}
