using Classifier.Cli;

namespace Classifier.Tests.Cli;

public sealed class MainThreadTests
{
    [Fact]
    public void Run_ServesTheWork_OnTheCallingThread_AndReturnsTheCommandsExitCode()
    {
        int caller = Environment.CurrentManagedThreadId;
        var bodyThreads = new List<int>();

        int exitCode = MainThread.Run(async () =>
        {
            await Task.Yield(); // the command line continues on a worker thread
            int first = await MainThread.RunAsync(() => { bodyThreads.Add(Environment.CurrentManagedThreadId); return 3; });
            int second = await MainThread.RunAsync(() => { bodyThreads.Add(Environment.CurrentManagedThreadId); return 4; });
            return first + second;
        });

        Assert.Equal(7, exitCode);
        Assert.Equal([caller, caller], bodyThreads);
    }

    [Fact]
    public void Run_PassesAnExceptionFromTheWork_ToTheAwaitingCommand()
    {
        int exitCode = MainThread.Run(async () =>
        {
            try
            {
                await MainThread.RunAsync<int>(() => throw new InvalidOperationException("boom"));
                return 0;
            }
            catch (InvalidOperationException e) when (e.Message == "boom")
            {
                return 5;
            }
        });

        Assert.Equal(5, exitCode);
    }

    [Fact]
    public async Task RunAsync_WithoutRun_UsesAWorkerThread()
    {
        int caller = Environment.CurrentManagedThreadId;

        int thread = await MainThread.RunAsync(() => Environment.CurrentManagedThreadId);

        Assert.NotEqual(caller, thread);
    }
}
