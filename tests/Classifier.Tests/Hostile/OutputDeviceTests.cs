using System.Diagnostics;
using Classifier.Cli;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// An output path that is a character device or a FIFO is written into as a stream, never replaced by a
/// regular file; a folder is refused. The devices are made with mknod inside a temp folder (the tests run as root), never
/// the machine's own /dev files.
/// </summary>
public sealed class OutputDeviceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AWriteOntoACharacterDevice_WritesIntoIt_AndLeavesItADevice()
    {
        var nul = Make("n", "c", "1", "3"); // the null device, made here

        AtomicFile.WriteText(nul, "a model");
        AtomicFile.WriteBytes(nul, new byte[100_000]);

        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of(nul).Kind);
        Assert.Equal(["n"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AWriteOntoAFifo_StreamsIntoIt_AndLeavesItAFifo()
    {
        var fifo = Make("pipe", "p");
        var reader = Task.Run(() => File.ReadAllText(fifo));

        var writer = Task.Run(() => AtomicFile.WriteText(fifo, "through the pipe"));
        var done = await Task.WhenAny(Task.WhenAll(reader, writer), Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.True(done != null && reader.IsCompleted && writer.IsCompleted, "writing into a FIFO with a reader hung");
        await writer;
        Assert.Equal("through the pipe", await reader);
        Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo).Kind);
    }

    [Fact]
    public void AWriteOntoAFolder_IsRefusedNamingIt()
    {
        var folder = _dir.Combine("plots");
        Directory.CreateDirectory(folder);

        var e = Assert.Throws<ClassifierException>(() => AtomicFile.WriteText(folder, "x"));

        Assert.Contains($"'{folder}': it is a folder", e.Message);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public async Task ExportAndPlot_OntoADeviceMadeWithMknod_LeaveTheDevice()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        var nul = Make("n", "c", "1", "3");

        var export = await CliRun.Of("export", "--model", Path.Combine(run, RunFolder.BestModelName), "--format", "safetensors", "-o", nul);
        var plot = await CliRun.Of("plot", run, "-o", nul);

        Assert.True(export.ExitCode == ExitCodes.Ok, export.ToString());
        Assert.True(plot.ExitCode == ExitCodes.Ok, plot.ToString());
        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of(nul).Kind);
    }

    private string Make(string name, params string[] kind)
    {
        var path = _dir.Combine(name);
        using var mknod = Process.Start("mknod", [path, .. kind]);
        mknod.WaitForExit();
        Assert.Equal(0, mknod.ExitCode);
        return path;
    }
}
