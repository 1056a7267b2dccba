using System.Collections.Concurrent;

namespace Classifier.Cli;

/// <summary>
/// Runs the verbs' torch work on the process's main thread. glibc serves the main thread from its main heap, which
/// (with <see cref="Classifier.Core.Torch.NativeHeap"/>'s <c>keep</c> policy) keeps the large activation buffers of a training
/// step for reuse; on any other thread they come from a secondary arena, where blocks over 64 MB are mapped fresh and
/// faulted in page by page on every step. <see cref="Run"/> starts the command line asynchronously and then serves
/// work items on the calling (main) thread until the command completes, so Ctrl+C handling, which needs the
/// command's task to be running, still works.
/// </summary>
internal static class MainThread
{
    private static BlockingCollection<Action>? _queue;

    /// <summary>Starts <paramref name="start"/> and serves <see cref="RunAsync{T}"/> work on this thread until it ends.</summary>
    public static int Run(Func<Task<int>> start)
    {
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
        try
        {
            var command = Task.Run(start);
            command.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            foreach (var work in queue.GetConsumingEnumerable()) work();
            return command.GetAwaiter().GetResult();
        }
        finally
        {
            _queue = null;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the main thread when <see cref="Run"/> is serving it, otherwise (tests invoke
    /// the command line in process) on a thread-pool thread.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> body)
    {
        var queue = _queue;
        if (queue is null) return Task.Run(body);
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add(() =>
        {
            try
            {
                result.SetResult(body());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }
}
