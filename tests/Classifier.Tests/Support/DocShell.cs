using System.Diagnostics;
using System.Text;

namespace Classifier.Tests.Support;

/// <summary>
/// A reader's folder for running a document's shell blocks as written: a fresh copy of the bundled sample under
/// <c>samples/fashion-mini</c> (the repository's other samples linked beside it), <c>runs/fashion</c> a copy of a
/// trained run, and <c>classify</c> both on <c>PATH</c> and as <c>out/classify</c> (what the README's publish step
/// makes): the CLI built beside the tests. To keep the suite short that <c>classify</c> gives a <c>train</c> without
/// <c>--image-size</c> (or <c>--config</c>, <c>--resume</c>) <c>--image-size 32</c> (the smallest the zoo's networks take) and one without <c>--epochs</c>
/// (or <c>--resume</c>) <c>--epochs 1</c>, and lists each such line in <see cref="Shortened"/>.
/// </summary>
public sealed class DocShell
{
    /// <summary>Variables that would make a block's commands talk to CI or pick a shard: not passed on.</summary>
    private static readonly string[] Unset =
        ["GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",
         "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP", "CLASSIFY_TEST_TOOL_PACKAGE"];

    private readonly string _bin;
    private readonly string _shortenedLog;

    /// <summary>Makes the folder in <paramref name="root"/> (which must not exist yet) from the run folder <paramref name="run"/>.</summary>
    public DocShell(string root, string run)
    {
        Folder = Path.Combine(root, "work");
        _bin = Path.Combine(root, "bin");
        _shortenedLog = Path.Combine(root, "shortened.txt");
        var samples = Path.GetDirectoryName(SampleData.FashionMini)!;
        CopyFolder(SampleData.FashionMini, Path.Combine(Folder, "samples", "fashion-mini"));
        foreach (var other in Directory.GetDirectories(samples).Where(d => d != SampleData.FashionMini))
            Directory.CreateSymbolicLink(Path.Combine(Folder, "samples", Path.GetFileName(other)), other);
        CopyFolder(run, Path.Combine(Folder, "runs", "fashion"));
        Directory.CreateDirectory(_bin);
        Directory.CreateDirectory(Path.Combine(Folder, "out"));
        var wrapper = Wrapper(Path.Combine(AppContext.BaseDirectory, "classify"), _shortenedLog);
        foreach (var path in new[] { Path.Combine(_bin, "classify"), Path.Combine(Folder, "out", "classify") })
        {
            File.WriteAllText(path, wrapper);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The folder the blocks run in (the reader's current directory).</summary>
    public string Folder { get; }

    /// <summary>The <c>train</c> command lines that were given a smaller size or fewer epochs.</summary>
    public IReadOnlyList<string> Shortened => File.Exists(_shortenedLog) ? File.ReadAllLines(_shortenedLog) : [];

    /// <summary>Runs <paramref name="block"/> (its setup lines first) with bash, or zsh for zsh blocks, and <c>set -eo pipefail</c>.</summary>
    public (int ExitCode, string Output) Run(DocBlock block, TimeSpan timeout)
    {
        var script = new StringBuilder("set -eo pipefail\n");
        foreach (var line in block.Setup) script.Append(line).Append('\n');
        script.Append(block.Text).Append('\n');
        var file = Path.Combine(Path.GetDirectoryName(Folder)!, $"block-{block.Line}.sh");
        File.WriteAllText(file, script.ToString());

        var start = new ProcessStartInfo(block.Language == "zsh" ? "zsh" : "bash")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(file);
        foreach (var name in Unset) start.Environment.Remove(name);
        start.Environment["PATH"] = _bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n'); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) return (-1, $"timed out after {timeout.TotalSeconds:0} s\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    /// <summary>The <c>classify</c> a block runs: the built CLI, with short training (see the class summary).</summary>
    private static string Wrapper(string classify, string log) => $$"""
        #!/usr/bin/env bash
        # classify for the doc tests: the CLI built beside the tests; a short train when the line does not set its size.
        args=("$@")
        has() { local a; for a in "${args[@]}"; do case "$a" in "$1"|"$1"=*) return 0;; esac; done; return 1; }
        if [ "${1:-}" = train ]; then
            added=()
            if ! has --image-size && ! has --config && ! has --resume; then added+=(--image-size 32); fi
            if ! has --epochs && ! has --resume; then added+=(--epochs 1); fi
            if [ ${#added[@]} -gt 0 ]; then
                echo "classify $* (+ ${added[*]})" >> '{{log}}'
                args+=("${added[@]}")
            fi
        fi
        exec '{{classify}}' "${args[@]}"

        """;

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
