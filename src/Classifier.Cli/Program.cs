using Classifier.Cli;
using Classifier.Core.Torch;

// Before anything allocates: let glibc's main heap keep large freed blocks (see NativeHeap), and run the verbs'
// torch work on this thread, which that heap serves (see MainThread).
NativeHeap.KeepLargeBlocks();
return MainThread.Run(() => ClassifyCli.InvokeAsync(args));
