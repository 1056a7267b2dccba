using System.Diagnostics;

namespace Classifier.Tests.Support;

/// <summary>
/// Makes a folder read-only for the test's life, as a read-only mount would be: <c>chattr +i</c> when the tests run as
/// root (root ignores permission bits), else mode 0555. Disposing makes it writable again so it can be deleted.
/// </summary>
public sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _path;
    private readonly bool _immutable;

    public ReadOnlyFolder(string path)
    {
        _path = path;
        Directory.CreateDirectory(path);
        _immutable = Environment.UserName == "root";
        if (_immutable) Run("chattr", "+i", path);
        else Run("chmod", "555", path);
    }

    public void Dispose()
    {
        if (_immutable) Run("chattr", "-i", _path);
        else Run("chmod", "755", _path);
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {process.StandardError.ReadToEnd()}");
    }
}
