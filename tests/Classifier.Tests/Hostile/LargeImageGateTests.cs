using Classifier.Core.Data;

namespace Classifier.Tests.Hostile;

/// <summary>Large images are decoded one at a time, small ones never wait.</summary>
public sealed class LargeImageGateTests
{
    [Fact]
    public async Task ASecondLargeDecode_WaitsForTheFirst_WhileSmallOnesPass()
    {
        var first = LargeImageGate.Enter(LargeImageGate.LargePixels + 1);
        Assert.NotNull(first);

        var second = Task.Run(() => LargeImageGate.Enter(9400L * 9400));
        var small = Task.Run(() => LargeImageGate.Enter(224L * 224));

        Assert.Null(await small.WaitAsync(TimeSpan.FromSeconds(10)));
        // The second large decode is known to be inside the gate's wait, however busy the machine is.
        Assert.True(SpinWait.SpinUntil(() => LargeImageGate.Waiting == 1, TimeSpan.FromSeconds(10)), "the second large decode never reached the gate");
        Assert.False(second.IsCompleted);
        first!.Dispose();
        using var secondTurn = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(secondTurn);
    }

    [Fact]
    public void PngPixels_ReadsTheHeader_AndIsZeroForOtherFormats()
    {
        byte[] header = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, 0x5B, 0xCC, 0, 0, 0x5B, 0xCC];

        Assert.Equal(23500L * 23500, LargeImageGate.PngPixels(header));
        Assert.Equal(0, LargeImageGate.PngPixels("GIF89a and more bytes here"u8));
    }
}
