using System.Runtime.InteropServices;
using TorchSharp;

namespace Classifier.Core.Torch;

/// <summary>
/// libtorch's own CPU autocast, switched on and off through the C++ entry points libtorch_cpu exports
/// (<c>at::autocast::set_autocast_enabled</c>, <c>set_autocast_dtype</c>, the nesting counter and the weight-cast cache):
/// TorchSharp 0.107 has no autocast API. With it on, the dispatcher runs the ops on PyTorch's CPU lower-precision list
/// (convolutions, linear, matmul, addmm, bmm, ...) in bfloat16 and the ops on its fp32 list in fp32, exactly as
/// <c>torch.autocast("cpu", dtype=torch.bfloat16)</c> does, and autograd casts the gradients back to the fp32
/// weights. The state is thread-local, like PyTorch's: <see cref="Enter"/> and the returned scope's dispose run on
/// the thread that calls the network.
/// </summary>
public static class Autocast
{
    private const sbyte CpuDevice = 0;       // c10::DeviceType::CPU
    private const sbyte BFloat16 = 15;       // c10::ScalarType::BFloat16 (TorchSharp's ScalarType.BFloat16 too)

    private static readonly Lazy<Entries?> Native = new(Bind);

    /// <summary>Whether this libtorch exports the autocast entry points (checked once, after libtorch has loaded).</summary>
    public static bool Available => Native.Value is not null;

    /// <summary>
    /// Turns bfloat16 CPU autocast on for the calling thread until the result is disposed, which restores the previous
    /// state (scopes nest, as PyTorch's <c>autocast</c> contexts do) and clears the cast cache when the outermost ends.
    /// Throws <see cref="ClassifierException"/> when this libtorch lacks the entry points.
    /// </summary>
    public static Scope Enter()
    {
        var native = Native.Value ?? throw new ClassifierException(
            "--precision bf16: this libtorch does not export its autocast entry points (at::autocast in libtorch_cpu); use --precision fp32.");
        bool wasEnabled = native.IsEnabled(CpuDevice) != 0;
        sbyte previousType = native.GetDtype(CpuDevice);
        native.SetDtype(CpuDevice, BFloat16);
        native.SetEnabled(CpuDevice, 1);
        native.IncrementNesting();
        return new Scope(native, wasEnabled, previousType);
    }

    /// <summary>Whether autocast is on for the CPU in the calling thread.</summary>
    public static bool IsEnabled => Native.Value is { } native && native.IsEnabled(CpuDevice) != 0;

    /// <summary>An autocast region; disposing it restores the state <see cref="Enter"/> found.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Entries? _native;
        private readonly bool _wasEnabled;
        private readonly sbyte _previousType;

        internal Scope(Entries native, bool wasEnabled, sbyte previousType)
        {
            _native = native;
            _wasEnabled = wasEnabled;
            _previousType = previousType;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_native is not { } native) return;
            // As torch.autocast.__exit__: the cache of fp32 weights cast to bf16 lives until the outermost region ends,
            // so an optimizer step never meets a stale cast.
            if (native.DecrementNesting() == 0) native.ClearCache();
            native.SetEnabled(CpuDevice, _wasEnabled ? (byte)1 : (byte)0);
            native.SetDtype(CpuDevice, _previousType);
        }
    }

    internal sealed class Entries
    {
        public required SetEnabledFn SetEnabled { get; init; }
        public required IsEnabledFn IsEnabled { get; init; }
        public required SetDtypeFn SetDtype { get; init; }
        public required GetDtypeFn GetDtype { get; init; }
        public required NestingFn IncrementNesting { get; init; }
        public required NestingFn DecrementNesting { get; init; }
        public required VoidFn ClearCache { get; init; }
    }

    // c10::DeviceType and c10::ScalarType are int8_t enums; bool is one byte. The x86-64 and AArch64 C ABIs pass them
    // in registers whose low byte the callee reads.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate void SetEnabledFn(sbyte device, byte enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate byte IsEnabledFn(sbyte device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate void SetDtypeFn(sbyte device, sbyte type);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate sbyte GetDtypeFn(sbyte device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate int NestingFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] internal delegate void VoidFn();

    private static Entries? Bind()
    {
        TorchRuntime.Initialize();
        if (!TryLoadTorchCpu(out var library)) return null;
        // The Itanium C++ ABI names of libtorch 2.x's at::autocast functions (c10/core/DeviceType, ScalarType are enums).
        if (!NativeLibrary.TryGetExport(library, "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb", out var setEnabled)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE", out var isEnabled)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE", out var setDtype)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE", out var getDtype)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast17increment_nestingEv", out var increment)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast17decrement_nestingEv", out var decrement)
            || !NativeLibrary.TryGetExport(library, "_ZN2at8autocast11clear_cacheEv", out var clear))
            return null;
        return new Entries
        {
            SetEnabled = Marshal.GetDelegateForFunctionPointer<SetEnabledFn>(setEnabled),
            IsEnabled = Marshal.GetDelegateForFunctionPointer<IsEnabledFn>(isEnabled),
            SetDtype = Marshal.GetDelegateForFunctionPointer<SetDtypeFn>(setDtype),
            GetDtype = Marshal.GetDelegateForFunctionPointer<GetDtypeFn>(getDtype),
            IncrementNesting = Marshal.GetDelegateForFunctionPointer<NestingFn>(increment),
            DecrementNesting = Marshal.GetDelegateForFunctionPointer<NestingFn>(decrement),
            ClearCache = Marshal.GetDelegateForFunctionPointer<VoidFn>(clear),
        };
    }

    // libtorch_cpu is already in the process (TorchSharp's native library links it); loading it again by name hands back
    // the same handle.
    private static bool TryLoadTorchCpu(out IntPtr library)
    {
        var assembly = typeof(torch).Assembly;
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll", "torch_cpu" })
            if (NativeLibrary.TryLoad(name, assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out library)
                || NativeLibrary.TryLoad(name, out library))
                return true;
        library = IntPtr.Zero;
        return false;
    }
}
