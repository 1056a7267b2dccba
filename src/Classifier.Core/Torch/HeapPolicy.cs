namespace Classifier.Core.Torch;

/// <summary>
/// How glibc serves libtorch's CPU buffers (<see cref="NativeHeap"/>). Measured per network in docs/performance.md
/// ("The heap policy per network"); none changes a computed value.
/// </summary>
public enum HeapPolicy
{
    /// <summary>
    /// glibc's own policy, 4 KiB pages. Blocks over its (adaptive) mapping threshold are mapped fresh and faulted in at
    /// every step; smaller ones are reused from the heap. The fastest for the convolutional zoo networks, whose buffers
    /// are mostly small enough to be reused.
    /// </summary>
    Plain,

    /// <summary>
    /// glibc's own policy with libtorch's allocations of 2 MB or more on transparent huge pages, so a freshly mapped
    /// block faults in 2 MiB at a time (<c>CLASSIFY_HEAP=system</c>). The seed CNN's: its 224 px activations and its
    /// 177 MB dense layer are mapped blocks, faulted in again at every step; with huge pages a step costs less.
    /// </summary>
    HugePages,

    /// <summary>
    /// Every block of 4 MiB or more mapped on its own (on huge pages) and unmapped when freed, so the resident memory
    /// follows the live tensors instead of the heap's high-water mark: the least memory, at the cost of faulting those
    /// blocks in at every step (slower). The default of the networks that otherwise exceed 1.2x PyTorch's peak
    /// (resnet34, resnet50).
    /// </summary>
    Frugal,

    /// <summary>
    /// Mapping off and trimming raised, so the main heap keeps freed blocks for reuse: fast on kernels without huge
    /// pages, at the cost of more peak memory (<c>CLASSIFY_HEAP=keep</c>).
    /// </summary>
    Keep,
}
