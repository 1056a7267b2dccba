using System.Diagnostics;
using Classifier.Core.Torch;
using Classifier.Tests.Support;

namespace Classifier.Tests.Torch;

public sealed class CpuLoadTests
{
    private const string SelfStat = "4242 (classify worker) S 1 2 3 4 5 6 7 8 9 10 300 40 0 0 20 0 9 0";

    private static string ProcStat(long cpu0Busy, long cpu0Idle, long cpu1Busy, long cpu1Idle) =>
        $"cpu  {cpu0Busy + cpu1Busy} 0 0 {cpu0Idle + cpu1Idle} 0 0 0 0 0 0\n" +
        $"cpu0 {cpu0Busy} 0 0 {cpu0Idle} 0 0 0 0 0 0\n" +
        $"cpu1 {cpu1Busy} 0 0 {cpu1Idle} 0 0 0 0 0 0\nintr 1 2 3\nctxt 99\n";

    [Fact]
    public void Parse_SumsTheAllowedCpusAndThisProcessTimeOnly()
    {
        var all = CpuLoad.Parse(ProcStat(100, 900, 50, 950), SelfStat, null);
        Assert.Equal(new CpuLoad.Reading(2, 150, 2000, 340), all);

        var cpu1 = CpuLoad.Parse(ProcStat(100, 900, 50, 950), SelfStat, new HashSet<int> { 1 });
        Assert.Equal(new CpuLoad.Reading(1, 50, 1000, 340), cpu1);
    }

    [Fact]
    public void Parse_CountsIoWaitAsIdleAndStealAsBusy()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var reading = CpuLoad.Parse("cpu0 10 1 2 80 5 1 1 3 7 0\n", SelfStat, null);
        Assert.Equal(18, reading.Busy);   // guest (7) is already inside user
        Assert.Equal(103, reading.Total);
    }

    [Fact]
    public void OtherBusyCpus_IsTheBusyTimeThisProcessDidNotUse()
    {
        var before = new CpuLoad.Reading(2, 1000, 10_000, 100);
        // 40 ticks on 2 CPUs: 30 busy, 10 of them ours -> others used 20 of 40, one CPU's worth.
        var after = new CpuLoad.Reading(2, 1030, 10_040, 110);
        Assert.Equal(1.0, CpuLoad.OtherBusyCpus(before, after));
        Assert.Null(CpuLoad.OtherBusyCpus(before, before with { Total = 10_004 }));     // too short to say
        Assert.Null(CpuLoad.OtherBusyCpus(before, after with { Cpus = 3 }));            // the CPU set changed
    }

    [Theory]
    [InlineData("Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n", new[] { 0, 1 })]
    [InlineData("Name:\tx\nCpus_allowed_list:\t0-2,5,8-9\nMems_allowed:\t1\n", new[] { 0, 1, 2, 5, 8, 9 })]
    public void AllowedCpus_ReadsTheList(string status, int[] expected) =>
        Assert.Equal(expected, CpuLoad.AllowedCpus(status)!.Order());

    [Fact]
    public void NeedsPassiveWaiting_OnlyWhenOtherProgramsTakeACpuTheTeamNeeds()
    {
        Assert.False(OpenMpWaiting.NeedsPassiveWaiting(0.1, cpus: 2, threads: 2));   // quiet: background noise
        Assert.False(OpenMpWaiting.NeedsPassiveWaiting(0.4, cpus: 2, threads: 2));
        Assert.True(OpenMpWaiting.NeedsPassiveWaiting(0.9, cpus: 2, threads: 2));    // one busy program
        Assert.False(OpenMpWaiting.NeedsPassiveWaiting(0.9, cpus: 2, threads: 1));   // one thread has no team to stall
        Assert.False(OpenMpWaiting.NeedsPassiveWaiting(3.0, cpus: 16, threads: 8));  // enough free CPUs left
        Assert.True(OpenMpWaiting.NeedsPassiveWaiting(8.8, cpus: 16, threads: 8));
    }

    [Fact]
    public void WaitNote_SaysWhatWasSeenAndPointsABusyTeamToOneThread()
    {
        Assert.Equal("", new WaitChoice(false, WaitReason.Quiet, 0.1, 2, Threads: 2).Note);
        var busy = new WaitChoice(true, WaitReason.Busy, 1.04, 2, Threads: 2).Note;
        Assert.StartsWith("other programs were using 1.0 of 2 CPUs, so threads wait passively; ", busy);
        Assert.Contains("--threads 1", busy);
        Assert.DoesNotContain("--threads", new WaitChoice(true, WaitReason.Busy, 1.0, 2, Threads: 1).Note);
        Assert.Equal("OMP_WAIT_POLICY=passive (set by you)",
            new WaitChoice(true, WaitReason.User, 0, 0, "OMP_WAIT_POLICY=passive").Note);
    }

    [LinuxFact("reads /proc/stat")]
    public void Read_SeesABusyProgramBesideThisOne()
    {
        using var spinner = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        try
        {
            Thread.Sleep(200);
            var before = CpuLoad.Read()!.Value;
            Thread.Sleep(500);
            var after = CpuLoad.Read()!.Value;
            // The spinner alone is one CPU; whatever else runs on the machine only adds to it.
            Assert.True(CpuLoad.OtherBusyCpus(before, after) >= 0.7, $"measured {CpuLoad.OtherBusyCpus(before, after)}");
        }
        finally
        {
            spinner.Kill();
        }
    }
}
