using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microservices.Scim.LoadBench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine("Scim.LoadBench: " + exception.Message);
    Console.Error.WriteLine("Run it through bench/run.sh (see docs/performance.md).");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// One handler for the whole run: enough pooled connections for every worker, kept open, no cookies or proxy, so the
// client measures the server and not its own connection set-up.
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = Math.Max(64, options.Concurrency * 2),
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseCookies = false,
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
var log = Console.Out;
var started = DateTimeOffset.UtcNow;
var loadBefore = Machine.LoadAverage();

log.WriteLine($"Scim.LoadBench: {options.Store}, {options.Users:N0} users, {options.Concurrency} concurrent, {options.Duration.TotalSeconds:F0} s x {options.Runs} runs");
var tenant = await BenchTenant.CreateAsync(http, options, "bench", 10, cancel.Token);
var seed = Stopwatch.StartNew();
await tenant.SeedAsync(0, options.Users, cancel.Token);
log.WriteLine($"seeded {tenant.Users.Count:N0} users through /internal/users/batch in {seed.Elapsed.TotalSeconds:F1} s");

// A group per worker and batch size for the member PATCH scenarios (each worker changes only its own group).
var batches = new[] { 1, 100, 1_000 }.Select(b => Math.Min(b, tenant.Users.Count)).Distinct().ToArray();
var memberGroups = new Dictionary<int, List<string>>();
foreach (var batch in batches)
{
    memberGroups[batch] = [];
    for (var w = 0; w < options.Concurrency; w++)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"bench-m{batch}-w{w:D3}");
        using var group = await tenant.ScimAsync(HttpMethod.Post, "Groups", ScimBodies.Content(ScimBodies.Group(name, name)), HttpStatusCode.Created, cancel.Token);
        memberGroups[batch].Add(group.RootElement.GetProperty("id").GetString()!);
    }
}

var runner = new LoadRunner(http, log);
var perRun = new Dictionary<string, List<RunFigures>>(StringComparer.Ordinal);
var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
var syncRuns = new List<SyncFigures>();

// Run 0 is the warm-up round: every scenario once, nothing recorded. The services are long-running processes; a fresh
// one spends its first minute in tiered JIT compilation (run 1 measured 30-60 % below runs 2 and 3 without it).
for (var run = options.WarmupRound > TimeSpan.Zero ? 0 : 1; run <= options.Runs; run++)
{
    var warmupRound = run == 0;
    log.WriteLine(warmupRound ? $"warm-up round ({options.WarmupRound.TotalSeconds:F0} s per scenario, not recorded)" : $"run {run}/{options.Runs}");
    var scenarios = Scenarios.Users(tenant, run, options.Concurrency).Concat(batches.Select(b => Scenarios.Members(tenant, memberGroups[b], b)))
        .Where(s => options.Only.Count == 0 || options.Only.Any(o => s.Name.Contains(o, StringComparison.OrdinalIgnoreCase)));
    foreach (var scenario in scenarios)
    {
        if (warmupRound)
        {
            await runner.RunAsync(scenario, options.Concurrency, TimeSpan.Zero, options.WarmupRound, options.MaxRequestsPerWorker, cancel.Token);
            continue;
        }

        var figures = await runner.RunAsync(scenario, options.Concurrency, options.Warmup, options.Duration, options.MaxRequestsPerWorker, cancel.Token);
        log.WriteLine($"  {scenario.Name,-28} {figures.RequestsPerSecond,8:F0}/s  p50 {figures.P50 / 1000.0,7:F2}  p99 {figures.P99 / 1000.0,7:F2} ms  errors {figures.Errors}");
        (perRun.TryGetValue(scenario.Name, out var list) ? list : perRun[scenario.Name] = []).Add(figures);
        descriptions[scenario.Name] = scenario.Description;
    }

    // Empty the member groups again so every run starts from the same group sizes.
    foreach (var id in memberGroups.Values.SelectMany(g => g))
    {
        using var _ = await tenant.ScimAsync(new HttpMethod("PATCH"), "Groups/" + id,
            ScimBodies.Content("""{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[]}]}"""),
            HttpStatusCode.NoContent, cancel.Token);
    }

    if (warmupRound || (options.SyncUsers == 0 && options.SyncGroups == 0))
    {
        continue;
    }

    var sync = await new EntraSync(tenant, options.Concurrency, log).RunAsync(run, options.SyncUsers, options.SyncGroups, options.SyncMemberships, cancel.Token);
    log.WriteLine($"  Entra initial sync: {sync.Users:N0} users in {sync.UsersSeconds:F1} s, {sync.Groups:N0} groups / {sync.Memberships:N0} memberships in {sync.GroupsSeconds:F1} s, total {sync.TotalSeconds:F1} s, errors {sync.Errors}");
    syncRuns.Add(sync);
}

var memoryAfterLoad = Machine.Memory(options.ServicePids);
ScaleFigures? scale = null;
if (options.Scale)
{
    log.WriteLine("scale curves");
    scale = await new ScaleCurves(http, options, log).RunAsync(cancel.Token);
}

var memoryAfterScale = options.Scale ? Machine.Memory(options.ServicePids) : null;
var figuresByOp = perRun.Select(p => Report.Median(p.Key, descriptions[p.Key], p.Value)).ToList();
var result = new BenchResult(
    Machine.Describe(),
    started,
    DateTimeOffset.UtcNow,
    loadBefore,
    Machine.LoadAverage(),
    options.Commit,
    options.Store,
    new BenchSettings(options.Users, options.Concurrency, options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.WarmupRound.TotalSeconds, options.Runs, options.SyncUsers, options.SyncGroups, options.SyncMemberships, options.Scale),
    figuresByOp,
    Report.Median(syncRuns),
    syncRuns,
    scale,
    memoryAfterLoad,
    memoryAfterScale);

Report.Print(log, result);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(result, Report.Json), cancel.Token);
log.WriteLine($"result written to {options.Output}");
var errors = figuresByOp.Sum(f => f.ErrorsTotal) + syncRuns.Sum(s => s.Errors);
return errors == 0 ? 0 : 1;
