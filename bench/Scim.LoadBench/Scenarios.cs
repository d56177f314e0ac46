using System.Globalization;
using System.Net;

namespace Microservices.Scim.LoadBench;

/// <summary>The measured operations, each shaped like the IdP request it stands for (docs/performance.md).</summary>
public static class Scenarios
{
    public static IReadOnlyList<Scenario> Users(BenchTenant tenant, int run, int concurrency)
    {
        var users = tenant.Users;
        var units = tenant.Units;

        // Writers cycle through a slice of their own, so two workers never write one user at the same moment (an IdP
        // job sends one change per user at a time); the PATCHes send the opposite of the state the bench last set, so
        // each request is a real write, never a no-op the service could skip.
        int Slice(int worker, long iteration)
        {
            var size = Math.Max(1, users.Count / concurrency);
            return ((worker * size) + (int)(iteration % size)) % users.Count;
        }

        bool Toggle(int n) => tenant.Active[n] = !tenant.Active[n];

        int Random() => System.Random.Shared.Next(users.Count);

        return
        [
            new("filter userName eq", "GET /Users?filter=userName eq \"…\"&startIndex=1&count=100 (Okta / Entra existence check), random seeded user", HttpStatusCode.OK,
                (_, _) => tenant.Scim(HttpMethod.Get, "Users?filter=" + ScimBodies.Filter("userName", users[Random()].UserName) + "&startIndex=1&count=100")),
            new("GET /Users/{id}", "GET /Users/{id}, random seeded user", HttpStatusCode.OK,
                (_, _) => tenant.Scim(HttpMethod.Get, "Users/" + users[Random()].Id)),
            new("GET list count=100", "GET /Users?startIndex=…&count=100 (Okta import): each worker walks consecutive pages from its own starting page, wrapping to 1", HttpStatusCode.OK,
                (worker, i) =>
                {
                    var pages = Math.Max(1, users.Count / 100);
                    var page = (int)(((worker * (long)pages / concurrency) + i) % pages);
                    return tenant.Scim(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"Users?startIndex={(page * 100) + 1}&count=100"));
                }),
            new("GET /Groups excl. members", "GET /Groups?excludedAttributes=members&startIndex=1&count=100", HttpStatusCode.OK,
                (_, _) => tenant.Scim(HttpMethod.Get, "Groups?excludedAttributes=members&startIndex=1&count=100")),
            new("PATCH active (Okta)", "PATCH /Users/{id} {op:replace, value:{active:false|true}}", HttpStatusCode.OK,
                (worker, i) =>
                {
                    var n = Slice(worker, i);
                    return tenant.Scim(HttpMethod.Patch, "Users/" + users[n].Id, ScimBodies.Content(ScimBodies.OktaActive(Toggle(n))));
                }),
            new("PATCH active (Entra)", "PATCH /Users/{id} {op:Replace, path:active, value:\"False\"|\"True\"}", HttpStatusCode.OK,
                (worker, i) =>
                {
                    var n = Slice(worker, i);
                    return tenant.Scim(HttpMethod.Patch, "Users/" + users[n].Id, ScimBodies.Content(ScimBodies.EntraActive(Toggle(n))));
                }),
            new("PUT /Users/{id} (Okta)", "PUT of the whole user as Okta holds it (name, emails, active, department)", HttpStatusCode.OK,
                (worker, i) =>
                {
                    var n = Slice(worker, i);
                    var unit = units[n % units.Count];
                    tenant.Active[n] = true;
                    return tenant.Scim(HttpMethod.Put, "Users/" + users[n].Id, ScimBodies.Content(ScimBodies.OktaPut(users[n].Id, users[n].UserName, unit.ExternalId, true, i)));
                }),
            new("POST /Users", "POST /Users, Entra-shaped body with enterprise department, a new userName each time", HttpStatusCode.Created,
                (worker, i) =>
                {
                    var externalId = string.Create(CultureInfo.InvariantCulture, $"post-r{run}-w{worker}-{i}");
                    var unit = units[(int)(i % units.Count)];
                    return tenant.Scim(HttpMethod.Post, "Users", ScimBodies.Content(ScimBodies.EntraUser(externalId + "@bench.example", externalId, unit.ExternalId, externalId)));
                }),
        ];
    }

    /// <summary>
    /// Member PATCH in batches of <paramref name="batch"/>: each worker has a group of its own and alternates adding a
    /// window of users and removing it again (Entra's default remove: value array), so every request changes members.
    /// </summary>
    public static Scenario Members(BenchTenant tenant, IReadOnlyList<string> groupIds, int batch)
    {
        var users = tenant.Users;
        return new(
            string.Create(CultureInfo.InvariantCulture, $"PATCH members x{batch}"),
            string.Create(CultureInfo.InvariantCulture, $"PATCH /Groups/{{id}}: add {batch} members (value array), then remove the same {batch}; one group per worker"),
            HttpStatusCode.NoContent,
            (worker, i) =>
            {
                var window = (int)(((worker * (long)batch) + ((i / 2) * batch)) % users.Count);
                var ids = Enumerable.Range(0, batch).Select(k => users[(window + k) % users.Count].Id).Distinct(StringComparer.Ordinal);
                return tenant.Scim(new HttpMethod("PATCH"), "Groups/" + groupIds[worker], ScimBodies.Content(ScimBodies.Members(i % 2 == 0 ? "add" : "Remove", ids)));
            });
    }
}
