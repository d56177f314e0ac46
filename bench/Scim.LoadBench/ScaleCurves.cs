using System.Diagnostics;
using System.Globalization;
using System.Net;
using HdrHistogram;

namespace Microservices.Scim.LoadBench;

public sealed record ScalePoint(int Users, double SeedSeconds, RunFigures FilterOneClient, int Pages, double PageThroughSeconds, bool PageThroughComplete, long PageP99);

public sealed record GroupSizePoint(int Members, double Add1Ms, double Add100Ms, double Remove100Ms, double Add1000Ms);

public sealed record ScaleFigures(IReadOnlyList<ScalePoint> Sizes, IReadOnlyList<GroupSizePoint> GroupSizes);

/// <summary>
/// The scale curves: one tenant grown through <see cref="CopySeeder"/> to each size, with <c>userName eq</c> latency
/// at one client and the time to page through the whole tenant at count=100 as Okta's import does (consecutive
/// startIndex values, which the users service continues by keyset); then member PATCH time against group size.
/// </summary>
public sealed class ScaleCurves(HttpClient http, BenchOptions options, TextWriter log)
{
    private const int Repeats = 10;

    public async Task<ScaleFigures> RunAsync(CancellationToken cancellationToken)
    {
        var tenant = await BenchTenant.CreateAsync(http, options, "bench-scale", 1, cancellationToken);
        var unit = tenant.Units[0];

        // One user through the SCIM edge first: it writes the org unit projection row the COPY rows point at.
        using (await tenant.ScimAsync(HttpMethod.Post, "Users", ScimBodies.Content(ScimBodies.EntraUser("first@bench.example", "first", unit.ExternalId, "first")), HttpStatusCode.Created, cancellationToken))
        {
        }

        var seeder = new CopySeeder(options.UsersDatabase!);
        var runner = new LoadRunner(http, log);
        var points = new List<ScalePoint>();
        var seeded = 0;
        foreach (var size in options.ScaleSizes)
        {
            var clock = Stopwatch.StartNew();
            await seeder.SeedAsync(tenant.Id, unit, seeded, size, cancellationToken);
            var seedSeconds = clock.Elapsed.TotalSeconds;
            log.WriteLine($"  scale: {size:N0} users seeded by COPY (+{size - seeded:N0} in {seedSeconds:F1} s)");
            var count = size;
            seeded = size;

            var filter = new Scenario("filter userName eq (1 client)", "", HttpStatusCode.OK,
                (_, _) => tenant.Scim(HttpMethod.Get, "Users?filter=" + ScimBodies.Filter("userName", CopySeeder.ScaleUserName(Random.Shared.Next(count)).ToUpperInvariant()) + "&startIndex=1&count=100"));
            var figures = await runner.RunAsync(filter, 1, options.Warmup, options.Duration, options.MaxRequestsPerWorker, cancellationToken);
            log.WriteLine($"  scale: {size:N0} users, userName eq at 1 client: {figures.RequestsPerSecond:F0}/s p50 {figures.P50 / 1000.0:F2} ms p99 {figures.P99 / 1000.0:F2} ms");

            var (pages, seconds, complete, p99) = await PageThroughAsync(tenant, size + 1, cancellationToken);
            log.WriteLine($"  scale: {size:N0} users, paged {pages:N0} pages in {seconds:F1} s{(complete ? "" : " (time limit reached)")}, page p99 {p99 / 1000.0:F1} ms");
            points.Add(new ScalePoint(size, seedSeconds, figures, pages, seconds, complete, p99));
        }

        return new ScaleFigures(points, await GroupCurveAsync(tenant, cancellationToken));
    }

    private async Task<(int Pages, double Seconds, bool Complete, long P99)> PageThroughAsync(BenchTenant tenant, int expected, CancellationToken cancellationToken)
    {
        var histogram = new LongHistogram(60_000_000, 3);
        var clock = Stopwatch.StartNew();
        var maxPages = (expected / 100) + 10;
        var pages = 0;
        var seen = 0;
        for (; pages < maxPages && clock.Elapsed < options.ScalePageLimit; pages++)
        {
            var started = Stopwatch.GetTimestamp();
            using var page = await tenant.ScimAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"Users?startIndex={seen + 1}&count=100"), null, HttpStatusCode.OK, cancellationToken);
            histogram.RecordValue(Math.Min(60_000_000, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds));
            var items = page.RootElement.TryGetProperty("Resources", out var resources) ? resources.GetArrayLength() : 0;
            seen += items;
            if (items < 100)
            {
                pages++;
                return (pages, clock.Elapsed.TotalSeconds, seen >= expected, histogram.GetValueAtPercentile(99));
            }
        }

        return (pages, clock.Elapsed.TotalSeconds, false, histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(99) : 0);
    }

    private async Task<List<GroupSizePoint>> GroupCurveAsync(BenchTenant tenant, CancellationToken cancellationToken)
    {
        var largest = options.GroupSizes.Max();
        await tenant.ReadUsersAsync(largest + 1_200, cancellationToken);
        var ids = tenant.Users.Select(u => u.Id).ToArray();
        using var group = await tenant.ScimAsync(HttpMethod.Post, "Groups", ScimBodies.Content(ScimBodies.Group("scale-group", "scale-group")), HttpStatusCode.Created, cancellationToken);
        var groupId = group.RootElement.GetProperty("id").GetString()!;
        var points = new List<GroupSizePoint>();
        var members = 0;
        foreach (var size in options.GroupSizes.Where(s => s + 1_100 <= ids.Length))
        {
            while (members < size)
            {
                var add = Math.Min(1_000, size - members);
                await PatchAsync(groupId, "add", ids.AsSpan(members, add).ToArray(), cancellationToken);
                members += add;
            }

            // The members added and removed for the measurement sit beyond the group's members, so each add is new.
            var spare = ids.AsSpan(size, 1_100).ToArray();
            var add1 = new List<double>();
            var add100 = new List<double>();
            var remove100 = new List<double>();
            var add1000 = new List<double>();
            for (var r = 0; r < Repeats; r++)
            {
                add1.Add(await PatchAsync(groupId, "add", [spare[r]], cancellationToken));
                await PatchAsync(groupId, "Remove", [spare[r]], cancellationToken);
                add100.Add(await PatchAsync(groupId, "add", spare[..100], cancellationToken));
                remove100.Add(await PatchAsync(groupId, "Remove", spare[..100], cancellationToken));
            }

            for (var r = 0; r < 3; r++)
            {
                add1000.Add(await PatchAsync(groupId, "add", spare[100..1_100], cancellationToken));
                await PatchAsync(groupId, "Remove", spare[100..1_100], cancellationToken);
            }

            var point = new GroupSizePoint(size, Median(add1), Median(add100), Median(remove100), Median(add1000));
            log.WriteLine($"  scale: group of {size:N0}: add 1 {point.Add1Ms:F1} ms, add 100 {point.Add100Ms:F1} ms, remove 100 {point.Remove100Ms:F1} ms, add 1,000 {point.Add1000Ms:F1} ms");
            points.Add(point);
        }

        return points;

        async Task<double> PatchAsync(string id, string op, string[] batch, CancellationToken token)
        {
            var started = Stopwatch.GetTimestamp();
            using (await tenant.ScimAsync(new HttpMethod("PATCH"), "Groups/" + id, ScimBodies.Content(ScimBodies.Members(op, batch)), HttpStatusCode.NoContent, token))
            {
            }

            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
