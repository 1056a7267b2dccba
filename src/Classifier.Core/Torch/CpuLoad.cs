using System.Globalization;

namespace Classifier.Core.Torch;

/// <summary>
/// How busy the CPUs this process may run on are with other programs' work, from two readings of Linux's
/// <c>/proc/stat</c> (per-CPU time counters) and <c>/proc/self/stat</c> (this process's own CPU time): the other
/// programs' share is everything that was busy in between minus what this process used itself.
/// </summary>
public static class CpuLoad
{
    /// <summary>One reading: the counters of the allowed CPUs and this process's own time, in clock ticks.</summary>
    /// <param name="Cpus">How many CPUs the process may run on.</param>
    /// <param name="Busy">Ticks the allowed CPUs spent on anything but idling (user, nice, system, interrupts, steal).</param>
    /// <param name="Total">Ticks the allowed CPUs counted in all (busy and idle).</param>
    /// <param name="Own">Ticks this process used (user and system, all its threads).</param>
    public readonly record struct Reading(int Cpus, long Busy, long Total, long Own);

    /// <summary>Reads the counters now; null where they do not exist (not Linux, or /proc not mounted).</summary>
    public static Reading? Read()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return null;
            return Parse(File.ReadAllText("/proc/stat"), File.ReadAllText("/proc/self/stat"), AllowedCpus(File.ReadAllText("/proc/self/status")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The number of CPUs' worth of other programs' work between two readings (0.9 means nearly one CPU taken);
    /// null when the readings cannot be compared (too short apart, or the CPU set changed).
    /// </summary>
    public static double? OtherBusyCpus(Reading before, Reading after)
    {
        long total = after.Total - before.Total;
        if (after.Cpus != before.Cpus || total < after.Cpus * 5) return null;   // under 5 ticks (50 ms) per CPU: noise
        double others = (after.Busy - before.Busy) - (after.Own - before.Own);
        return Math.Clamp(others / total * after.Cpus, 0, after.Cpus);
    }

    /// <summary>Parses the texts of /proc/stat and /proc/self/stat, counting only the CPUs in <paramref name="allowed"/> (all when null).</summary>
    public static Reading Parse(string procStat, string selfStat, IReadOnlySet<int>? allowed)
    {
        int cpus = 0;
        long busy = 0, total = 0;
        foreach (var line in procStat.Split('\n'))
        {
            // "cpu3 user nice system idle iowait irq softirq steal guest guest_nice"; guest time is already in user.
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3])) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int cpu = int.Parse(fields[0].AsSpan(3), CultureInfo.InvariantCulture);
            if (allowed is not null && !allowed.Contains(cpu)) continue;
            if (fields.Length < 5) throw new FormatException($"/proc/stat: too few fields for {fields[0]}");
            long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
            long idle = Field(4) + Field(5);
            long all = Field(1) + Field(2) + Field(3) + idle + Field(6) + Field(7) + Field(8);
            cpus++;
            total += all;
            busy += all - idle;
        }
        if (cpus == 0) throw new FormatException("/proc/stat lists none of the CPUs this process may use");
        // The command name in parentheses may hold spaces; fields 14 and 15 (utime, stime) follow its ')'.
        var rest = selfStat[(selfStat.LastIndexOf(')') + 2)..].Split(' ');
        long own = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        return new Reading(cpus, busy, total, own);
    }

    /// <summary>The CPU numbers of <c>Cpus_allowed_list</c> in a /proc/self/status text ("0-3,8"); null when absent.</summary>
    public static IReadOnlySet<int>? AllowedCpus(string procSelfStatus)
    {
        var line = procSelfStatus.Split('\n').FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        if (line is null) return null;
        var cpus = new HashSet<int>();
        foreach (var part in line["Cpus_allowed_list:".Length..].Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-');
            int first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            int last = bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : first;
            for (int cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return cpus;
    }
}
