using System.CommandLine;
using Classifier.Core.Checking;
using Classifier.Core.Options;
using Classifier.Core.Runs;

namespace Classifier.Cli.Commands;

/// <summary>
/// <c>classify fuzz [--cases N] [--seed S]</c> (hidden): a longer run of the decoder fuzz test than the test suite's,
/// for deeper checks after changing the decoder or ImageSharp. Exit code 4 (<see cref="ExitCodes.ProblemsFound"/>) when a case failed.
/// </summary>
internal static class FuzzCommand
{
    private static readonly FuzzOptions Defaults = new();

    public static Command Create()
    {
        var cases = ValueOptions.Number("--cases", OptionKind.Int, "Mutated files to decode.", Defaults.Cases);
        var firstCase = ValueOptions.Number("--first-case", OptionKind.Int, "Number of the first case; with --cases 1, replays one reported case.", 0);
        var seed = ValueOptions.Number("--seed", OptionKind.Int, "Seed of the mutations (case N of a seed is always the same input).", Defaults.Seed);
        var timeout = ValueOptions.Number("--timeout", OptionKind.Double, "Seconds after which a case counts as a hang.", Defaults.CaseTimeout.TotalSeconds, "S");
        var saveFailures = new Option<string?>("--save-failures") { Description = "Folder to write the inputs of failed cases to.", HelpName = "DIR" };
        var command = new Command("fuzz", "Decode mutated PNG, JPEG, GIF, BMP, TIFF and WebP files: no unhandled exception, no hang, bounded memory.")
        {
            cases, firstCase, seed, timeout, saveFailures,
        };
        command.Hidden = true;
        command.SetAction((parse, cancellation) => CommandRunner.RunAsync(parse, cancellation, (terminal, ct) =>
        {
            var options = new FuzzOptions
            {
                Cases = parse.GetValue(cases),
                FirstCase = parse.GetValue(firstCase),
                Seed = parse.GetValue(seed),
                CaseTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            };
            int step = Math.Max(1, options.Cases / 10);
            var result = DecoderFuzzer.Run(options, n =>
            {
                int done = n + 1 - options.FirstCase;
                if (done % step == 0) terminal.Error.WriteLine($"  {done:N0}/{options.Cases:N0} cases");
            }, ct);
            terminal.Out.WriteLine($"{result.Cases:N0} cases (seed {options.Seed}) in {result.Seconds:F1}s ({result.CasesPerSecond:F0}/s): " +
                                   $"{result.Decoded:N0} still decoded, {result.Refused:N0} refused with a reason, {result.Failures.Count} failed; " +
                                   $"largest memory growth in one case {result.MaxPeakGrowthBytes / (1 << 20):N0} MiB");
            foreach (var f in result.Failures)
                terminal.Out.WriteLine($"  case {f.Case} ({f.Seed}; {f.Mutation}): {f.Problem}");
            if (parse.GetValue(saveFailures) is { } folder)
                foreach (var f in result.Failures)
                    AtomicFile.WriteBytes(Path.Combine(folder, $"case-{f.Case}-{f.Seed}.bin"), f.Input);
            return result.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.ProblemsFound;
        }));
        return command;
    }
}
