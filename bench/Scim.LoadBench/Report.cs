using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microservices.Scim.LoadBench;

public sealed record MachineInfo(string Host, int Cpus, string CpuModel, long MemoryMiB, string Os, string Runtime);

public sealed record ServiceMemory(string Service, int Pid, long PeakRssMiB, long RssMiB);

public sealed record BenchSettings(int Users, int Concurrency, double DurationSeconds, double WarmupSeconds, double WarmupRoundSeconds, int Runs, int SyncUsers, int SyncGroups, int SyncMemberships, bool Scale);

/// <summary>One operation's figures: each is the median over the runs; errors are also summed over all runs.</summary>
public sealed record OperationFigures(string Operation, string Sends, double RequestsPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double ErrorsMedian, long ErrorsTotal, IReadOnlyList<RunFigures> Runs);

public sealed record BenchResult(
    MachineInfo Machine,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string Commit,
    string Store,
    BenchSettings Options,
    IReadOnlyList<OperationFigures> Operations,
    SyncFigures? EntraSync,
    IReadOnlyList<SyncFigures> EntraSyncRuns,
    ScaleFigures? Scale,
    IReadOnlyList<ServiceMemory> MemoryAfterLoad,
    IReadOnlyList<ServiceMemory>? MemoryAfterScale);

public static class Report
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static OperationFigures Median(string operation, string sends, IReadOnlyList<RunFigures> runs) => new(
        operation,
        sends,
        ScaleCurves.Median([.. runs.Select(r => r.RequestsPerSecond)]),
        ScaleCurves.Median([.. runs.Select(r => r.P50 / 1000.0)]),
        ScaleCurves.Median([.. runs.Select(r => r.P95 / 1000.0)]),
        ScaleCurves.Median([.. runs.Select(r => r.P99 / 1000.0)]),
        ScaleCurves.Median([.. runs.Select(r => r.Max / 1000.0)]),
        ScaleCurves.Median([.. runs.Select(r => (double)r.Errors)]),
        runs.Sum(r => r.Errors),
        runs);

    public static SyncFigures? Median(IReadOnlyList<SyncFigures> runs) => runs.Count == 0 ? null : runs.OrderBy(r => r.TotalSeconds).ElementAt(runs.Count / 2);

    public static void Print(TextWriter log, BenchResult result)
    {
        log.WriteLine();
        log.WriteLine($"{result.Store}, {result.Options.Users:N0} users, {result.Options.Concurrency} concurrent, {result.Options.DurationSeconds:F0} s, median of {result.Options.Runs} run(s); {result.Machine.Cpus} CPUs {result.Machine.CpuModel}; load {result.LoadAverageBefore} -> {result.LoadAverageAfter}");
        log.WriteLine($"{"operation",-28} {"req/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7}");
        foreach (var o in result.Operations)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{o.Operation,-28} {o.RequestsPerSecond,9:F0} {o.P50Ms,8:F2} {o.P95Ms,8:F2} {o.P99Ms,8:F2} {o.MaxMs,8:F1} {o.ErrorsTotal,7}"));
        }

        if (result.EntraSync is { } s)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Entra initial sync (median run): {s.Users:N0} users {s.UsersSeconds:F1} s + {s.Groups:N0} groups / {s.Memberships:N0} memberships {s.GroupsSeconds:F1} s = {s.TotalSeconds:F1} s ({s.RequestsPerSecond:F0} req/s, p99 {s.P99 / 1000.0:F1} ms, errors {s.Errors})"));
        }

        if (result.Scale is { } scale)
        {
            log.WriteLine($"{"users in tenant",-16} {"eq p50 ms",10} {"eq p99 ms",10} {"pages",7} {"page-through s",15} {"page p99 ms",12}");
            foreach (var p in scale.Sizes)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Users,-16:N0} {p.FilterOneClient.P50 / 1000.0,10:F2} {p.FilterOneClient.P99 / 1000.0,10:F2} {p.Pages,7:N0} {p.PageThroughSeconds,14:F1}{(p.PageThroughComplete ? " " : "*")} {p.PageP99 / 1000.0,12:F1}"));
            }

            log.WriteLine($"{"group members",-16} {"add 1 ms",10} {"add 100 ms",11} {"remove 100",11} {"add 1,000 ms",13}");
            foreach (var g in scale.GroupSizes)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{g.Members,-16:N0} {g.Add1Ms,10:F1} {g.Add100Ms,11:F1} {g.Remove100Ms,11:F1} {g.Add1000Ms,13:F1}"));
            }
        }

        foreach (var (title, memory) in new[] { ("after the load", result.MemoryAfterLoad), ("after the scale curves", result.MemoryAfterScale) })
        {
            if (memory is { Count: > 0 })
            {
                log.WriteLine($"peak resident memory (VmHWM) {title}: " + string.Join(", ", memory.Select(m => $"{m.Service} {m.PeakRssMiB} MiB")));
            }
        }
    }
}

public static class Machine
{
    public static MachineInfo Describe()
    {
        var cpu = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = KiB(ReadLines("/proc/meminfo"), "MemTotal:") / 1024;
        return new MachineInfo(Environment.MachineName, Environment.ProcessorCount, cpu, memory, System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.Version.ToString());
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Peak (VmHWM) and current (VmRSS) resident memory of each service process, from /proc/&lt;pid&gt;/status.</summary>
    public static List<ServiceMemory> Memory(IReadOnlyDictionary<string, int> pids) =>
        [.. pids.Select(p =>
        {
            var status = ReadLines($"/proc/{p.Value}/status");
            return new ServiceMemory(p.Key, p.Value, KiB(status, "VmHWM:") / 1024, KiB(status, "VmRSS:") / 1024);
        })];

    private static string[] ReadLines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    private static long KiB(string[] lines, string key) =>
        lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
        && long.TryParse(line[key.Length..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib : 0;
}
