using System.Runtime.InteropServices;

namespace Classifier.Core.Torch;

/// <summary>
/// The C library's environment, which native libraries (libgomp, oneDNN, libtorch's allocator) read. .NET keeps its
/// own copy: <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach them.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>
    /// Sets <paramref name="name"/> for native code unless it is already set there, and in .NET's copy too when
    /// <paramref name="alsoManaged"/> (so that later reads through <see cref="Environment"/> see it).
    /// </summary>
    public static void SetUnlessSet(string name, string value, bool alsoManaged = true)
    {
        _ = SetEnv(name, value, 0);
        if (alsoManaged) Environment.SetEnvironmentVariable(name, value);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
