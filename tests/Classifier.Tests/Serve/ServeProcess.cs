using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Classifier.Tests.Serve;

/// <summary>
/// <c>classify serve</c> in a child process (the real CLI, as a container runs it) on a free loopback port: waits
/// for the "listening on" line, keeps what it writes on stderr (the access log), reads its resident memory, and stops
/// it with SIGTERM as Kubernetes does.
/// </summary>
public sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _errorLines = [];

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>What the server wrote on stderr so far, one entry per line.</summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_errorLines) return [.. _errorLines];
        }
    }

    /// <summary>Starts <c>classify serve --port 0</c> with <paramref name="args"/> and waits until it listens.</summary>
    public static async Task<ServeProcess> Start(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "classify.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "serve", "--port", "0", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.Add(e.Data);
        };
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        var lineTask = process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(lineTask, Task.Delay(TimeSpan.FromSeconds(90))) != lineTask || lineTask.Result is not { } line)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (errors) throw new InvalidOperationException($"serve did not start within {clock.Elapsed.TotalSeconds:0} s:\n{string.Join('\n', errors)}");
        }
        var match = Listening().Match(line);
        if (!match.Success) throw new InvalidOperationException($"unexpected first line: {line}");
        var server = new ServeProcess(process, new Uri(match.Groups[1].Value + "/"));
        // Keep reading stdout so the child never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (server._errorLines) server._errorLines.Add(e.Data);
        };
        lock (errors) lock (server._errorLines) server._errorLines.AddRange(errors);
        return server;
    }

    /// <summary>Resident memory of the child, in MiB (VmRSS in /proc).</summary>
    public double ResidentMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        throw new InvalidOperationException("no VmRSS line");
    }

    /// <summary>Sends SIGTERM (what Kubernetes sends a pod it stops).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the child to exit; returns its exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://[^ ]+)")]
    private static partial Regex Listening();
}
