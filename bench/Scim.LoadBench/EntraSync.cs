using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using HdrHistogram;

namespace Microservices.Scim.LoadBench;

public sealed record SyncFigures(int Users, int Groups, int Memberships, double UsersSeconds, double GroupsSeconds, double TotalSeconds, long Requests, long Errors, double RequestsPerSecond, long P99);

/// <summary>
/// Replays what Entra's initial cycle sends for users and groups in scope (domain-notes §2.4): per user a
/// <c>userName eq</c> filter (empty answer) then a POST; then per group a <c>displayName eq</c> filter with
/// excludedAttributes=members, a POST with empty members, and member PATCH adds in batches of 100 (Microsoft does not
/// document its batch size; 100 is AWS IAM Identity Center's limit and a common Entra observation).
/// </summary>
public sealed class EntraSync(BenchTenant tenant, int concurrency, TextWriter log)
{
    private const int MemberBatch = 100;
    private long _errors;
    private long _requests;

    public async Task<SyncFigures> RunAsync(int run, int users, int groups, int memberships, CancellationToken cancellationToken)
    {
        var histogram = new LongHistogram(60_000_000, 3);
        var clock = Stopwatch.StartNew();
        var ids = new string?[users];
        var next = -1;
        var unitCount = tenant.Units.Count;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                var local = new LongHistogram(60_000_000, 3);
                for (int n; (n = Interlocked.Increment(ref next)) < users;)
                {
                    var externalId = string.Create(CultureInfo.InvariantCulture, $"sync-r{run}-{n:D6}");
                    var userName = externalId + "@bench.example";
                    await TimedAsync(local, HttpMethod.Get, "Users?filter=" + ScimBodies.Filter("userName", userName), null, HttpStatusCode.OK, cancellationToken);
                    using var created = await TimedAsync(local, HttpMethod.Post, "Users",
                        ScimBodies.Content(ScimBodies.EntraUser(userName, externalId, tenant.Units[n % unitCount].ExternalId, externalId)), HttpStatusCode.Created, cancellationToken);
                    ids[n] = created?.RootElement.GetProperty("id").GetString();
                }

                lock (histogram)
                {
                    histogram.Add(local);
                }
            },
            cancellationToken)));
        var usersSeconds = clock.Elapsed.TotalSeconds;

        var members = ids.Where(id => id is not null).Select(id => id!).ToArray();
        var perGroup = groups == 0 ? 0 : memberships / groups;
        var nextGroup = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, Math.Max(1, groups))).Select(_ => Task.Run(
            async () =>
            {
                var local = new LongHistogram(60_000_000, 3);
                for (int g; (g = Interlocked.Increment(ref nextGroup)) < groups;)
                {
                    var displayName = string.Create(CultureInfo.InvariantCulture, $"sync-r{run}-group-{g:D5}");
                    await TimedAsync(local, HttpMethod.Get, "Groups?excludedAttributes=members&filter=" + ScimBodies.Filter("displayName", displayName), null, HttpStatusCode.OK, cancellationToken);
                    using var created = await TimedAsync(local, HttpMethod.Post, "Groups", ScimBodies.Content(ScimBodies.Group(displayName, Guid.NewGuid().ToString())), HttpStatusCode.Created, cancellationToken);
                    if (created?.RootElement.GetProperty("id").GetString() is not { } groupId || members.Length == 0)
                    {
                        continue;
                    }

                    // Memberships spread over the users so every user is in about memberships / users groups.
                    for (var first = 0; first < perGroup; first += MemberBatch)
                    {
                        var batch = Enumerable.Range(first, Math.Min(MemberBatch, perGroup - first)).Select(k => members[((g * perGroup) + k) % members.Length]).Distinct(StringComparer.Ordinal);
                        using var _ = await TimedAsync(local, new HttpMethod("PATCH"), "Groups/" + groupId, ScimBodies.Content(ScimBodies.Members("Add", batch)), HttpStatusCode.NoContent, cancellationToken);
                    }
                }

                lock (histogram)
                {
                    histogram.Add(local);
                }
            },
            cancellationToken)));
        var total = clock.Elapsed.TotalSeconds;
        return new SyncFigures(users, groups, perGroup * groups, usersSeconds, total - usersSeconds, total, _requests, _errors, _requests / total, histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(99) : 0);
    }

    private async Task<JsonDocument?> TimedAsync(LongHistogram histogram, HttpMethod method, string path, HttpContent? content, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requests);
        try
        {
            using var request = tenant.Scim(method, path, content);
            return await tenant.SendAsync(request, expected, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            if (Interlocked.Increment(ref _errors) <= 5)
            {
                log.WriteLine("  entra sync: " + exception.Message);
            }

            return null;
        }
        catch (HttpRequestException exception)
        {
            if (Interlocked.Increment(ref _errors) <= 5)
            {
                log.WriteLine("  entra sync: " + exception.Message);
            }

            return null;
        }
        finally
        {
            histogram.RecordValue(Math.Min(60_000_000, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds));
        }
    }
}
