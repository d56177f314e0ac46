using System.Globalization;
using System.Net;

namespace Microservices.Scim.LoadBench;

/// <summary>Everything a run is parameterised by; written into the result file so a figure can be reproduced.</summary>
public sealed record BenchOptions
{
    public required Uri EdgeUrl { get; init; }
    public required Uri UsersUrl { get; init; }
    public required string AdminToken { get; init; }
    public required string InternalToken { get; init; }
    public string Store { get; init; } = "postgres";
    public string? UsersDatabase { get; init; }
    public int Users { get; init; } = 10_000;
    public int Groups { get; init; } = 40;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Seconds each scenario runs once, unrecorded, before run 1 (0: none): see docs/performance.md.</summary>
    public TimeSpan WarmupRound { get; init; } = TimeSpan.FromSeconds(5);

    public int Runs { get; init; } = 3;
    public int Concurrency { get; init; } = 32;
    public int SyncUsers { get; init; } = 2_000;
    public int SyncGroups { get; init; } = 20;
    public int SyncMemberships { get; init; } = 2_000;
    public bool Scale { get; init; }
    public int[] ScaleSizes { get; init; } = [10_000, 100_000, 1_000_000];
    public int[] GroupSizes { get; init; } = [10, 100, 1_000, 10_000, 50_000];
    public TimeSpan ScalePageLimit { get; init; } = TimeSpan.FromMinutes(15);
    public string Output { get; init; } = "bench/results/latest.json";
    public string Commit { get; init; } = "unknown";
    public IReadOnlyDictionary<string, int> ServicePids { get; init; } = new Dictionary<string, int>();

    /// <summary>Only the scenarios whose name contains one of these (case-insensitive); empty means all.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Hard ceiling on requests per worker and scenario, so no loop depends on the clock alone.</summary>
    public long MaxRequestsPerWorker { get; init; } = 5_000_000;

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            if (arg is "--scale")
            {
                flags.Add(arg);
            }
            else if (i + 1 < args.Length)
            {
                values[arg] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{arg} needs a value");
            }
        }

        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? PositiveInt(name, v) : fallback;
        int Count(string name, int fallback) =>
            !values.TryGetValue(name, out var v) ? fallback
            : int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
            : throw new ArgumentException($"{name} must be 0 or a positive integer");
        double Seconds(string name, double fallback, bool zeroAllowed = false) =>
            values.TryGetValue(name, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (s > 0 || (zeroAllowed && s == 0)) ? s
            : values.ContainsKey(name) ? throw new ArgumentException($"{name} must be a {(zeroAllowed ? "non-negative" : "positive")} number of seconds") : fallback;

        var options = new BenchOptions
        {
            EdgeUrl = Loopback("--edge", Required("--edge")),
            UsersUrl = Loopback("--users-url", Required("--users-url")),
            AdminToken = File.ReadAllText(Required("--admin-token-file")).Trim(),
            InternalToken = File.ReadAllText(Required("--internal-token-file")).Trim(),
            Store = values.GetValueOrDefault("--store", "postgres"),
            UsersDatabase = values.GetValueOrDefault("--users-db"),
            Users = Int("--users", 10_000),
            Groups = Int("--groups", 40),
            Duration = TimeSpan.FromSeconds(Seconds("--duration", 10)),
            Warmup = TimeSpan.FromSeconds(Seconds("--warmup", 2)),
            WarmupRound = TimeSpan.FromSeconds(Seconds("--warmup-round", 5, zeroAllowed: true)),
            Runs = Int("--runs", 3),
            Concurrency = Int("--concurrency", 32),
            SyncUsers = Count("--sync-users", 2_000),
            SyncGroups = Count("--sync-groups", 20),
            SyncMemberships = Count("--sync-memberships", 2_000),
            Only = values.TryGetValue("--only", out var only) ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
            Scale = flags.Contains("--scale"),
            ScaleSizes = values.TryGetValue("--scale-sizes", out var sizes) ? IntList("--scale-sizes", sizes) : [10_000, 100_000, 1_000_000],
            GroupSizes = values.TryGetValue("--group-sizes", out var groupSizes) ? IntList("--group-sizes", groupSizes) : [10, 100, 1_000, 10_000, 50_000],
            ScalePageLimit = TimeSpan.FromSeconds(Seconds("--scale-page-limit", 900)),
            Output = values.GetValueOrDefault("--out", "bench/results/latest.json"),
            Commit = values.GetValueOrDefault("--commit", "unknown"),
            ServicePids = values.TryGetValue("--pids", out var pids) ? ParsePids(pids) : new Dictionary<string, int>(),
        };

        if (options.Store is not ("postgres" or "sqlite"))
        {
            throw new ArgumentException("--store is postgres or sqlite");
        }

        if (options.Scale && (options.Store != "postgres" || options.UsersDatabase is null))
        {
            throw new ArgumentException("--scale seeds by PostgreSQL COPY: it needs --store postgres and --users-db");
        }

        if (options.UsersDatabase is not null)
        {
            var host = new Npgsql.NpgsqlConnectionStringBuilder(options.UsersDatabase).Host ?? "";
            if (!IsLoopbackHost(host))
            {
                throw new ArgumentException("--users-db must name a loopback host");
            }
        }

        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer");

    private static int[] IntList(string name, string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => PositiveInt(name, v)).Order()];

    private static Dictionary<string, int> ParsePids(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => PositiveInt("--pids", p[1]), StringComparer.Ordinal);

    // The harness generates real load: it must never be pointed at anything but this machine.
    private static Uri Loopback(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !IsLoopbackHost(uri.Host))
        {
            throw new ArgumentException($"{name} must be an http(s) URL on a loopback address (127.0.0.0/8, ::1, localhost), not '{value}'");
        }

        return uri;
    }

    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
