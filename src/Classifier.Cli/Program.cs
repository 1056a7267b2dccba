using Classifier.Cli;
using Classifier.Core.Torch;

// Before libtorch allocates anything: the native heap policy (CLASSIFY_HEAP, see NativeHeap), and the verbs' torch
// work on this thread, whose heap is the one CLASSIFY_HEAP=keep tunes (see MainThread).
// The first reading of how busy the machine is, for the choice of how libtorch's threads wait (see OpenMpWaiting).
OpenMpWaiting.StartProbe();
try
{
    NativeHeap.Configure(Environment.GetEnvironmentVariable(NativeHeap.EnvironmentVariable));
}
catch (Classifier.Core.ClassifierException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InputError;
}
// stdout through a stream that reports a closed pipe or a full disk (see StandardOutputStream).
if (Classifier.Cli.Output.StandardOutputStream.OpenWriter() is { } stdout) Console.SetOut(stdout);
return MainThread.Run(() => ClassifyCli.InvokeAsync(args));
