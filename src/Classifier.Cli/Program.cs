using Classifier.Cli;
using Classifier.Core.Torch;

// Before anything allocates: let glibc's main heap keep large freed blocks (see NativeHeap), and run the verbs'
// torch work on this thread, which that heap serves (see MainThread).
try
{
    NativeHeap.Configure(Environment.GetEnvironmentVariable(NativeHeap.EnvironmentVariable));
}
catch (Classifier.Core.ClassifierException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InputError;
}
return MainThread.Run(() => ClassifyCli.InvokeAsync(args));
