using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microservices.Scim;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Docs;

/// <summary>
/// The curl calls of the operator docs, replayed as written against the four running services: a walkthrough whose
/// calls fail (a missing required field, a wrong route) fails here instead of on an operator's laptop.
/// </summary>
public abstract partial class DocumentedCallsTests(SystemFixture fixture)
{
    private static readonly string _root = FindRoot();

    [Fact]
    public async Task LocalKubernetesWalkthrough_Step4_ProvisionsTheUserAsWritten()
    {
        var blocks = DocumentedCalls.ShellBlocks(Read("docs", "local-kubernetes.md"), "## 4. A tenant, an API key and a test user");

        var replay = await DocumentedCalls.ReplayAsync(blocks, new Dictionary<string, string>
        {
            ["BASE"] = fixture.System.EdgeUrl.GetLeftPart(UriPartial.Authority),
            ["ADMIN"] = RunningSystem.AdminToken,
        });

        Assert.Empty(replay.Skipped);
        AssertAllSucceeded(replay);
        Assert.Equal(
            ["POST /admin/v1/tenants", "POST /admin/v1/tenants/local/api-keys", "POST /admin/v1/tenants/local/orgunits", "POST /v1/scim/Users", "GET /v1/scim/Users"],
            replay.Calls.Select(c => $"{c.Method} {new Uri(c.Url).AbsolutePath}"));
        Assert.StartsWith("ascim_", replay.Assignments["KEY"], StringComparison.Ordinal);
        var found = JsonNode.Parse(replay.Calls[^1].Body)!;
        Assert.Equal(1, found["totalResults"]!.GetValue<int>());
        var user = found["Resources"]![0]!;
        Assert.Equal("ada@example.test", user["userName"]!.GetValue<string>());
        Assert.Equal("HQ", user[ScimConstants.EnterpriseUserSchema]!["department"]!.GetValue<string>());
        // The token the walkthrough uses is the development admin token of the kind cluster's Secret.
        Assert.Equal(KindAdminToken(), replay.Assignments["ADMIN"]);
    }

    [Fact]
    public async Task AdminApiDoc_EveryCallWithoutPlaceholders_Succeeds()
    {
        var blocks = DocumentedCalls.ShellBlocks(Read("docs", "admin-api.md"));

        var replay = await DocumentedCalls.ReplayAsync(blocks, new Dictionary<string, string>
        {
            ["EDGE"] = fixture.System.EdgeUrl.GetLeftPart(UriPartial.Authority),
            ["ADMIN"] = "Authorization: Bearer " + RunningSystem.AdminToken,
        });

        AssertAllSucceeded(replay);
        var replayed = replay.Calls.Select(c => $"{c.Method} {new Uri(c.Url).AbsolutePath}").ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "POST /admin/v1/tenants", "GET /admin/v1/tenants/acme", "POST /admin/v1/tenants/acme/api-keys", "GET /admin/v1/tenants/acme/api-keys",
                "POST /admin/v1/tenants/acme/orgunits", "POST /admin/v1/tenants/acme/roles", "GET /admin/v1/tenants/acme/audit",
                "PUT /admin/v1/tenants/acme/rate-limit", "DELETE /admin/v1/tenants/acme/rate-limit",
            },
            replayed);
        // Only calls that need an id from an earlier answer, or a file, are left out.
        Assert.All(replay.Skipped, s => Assert.Contains(s.Reason, new[] { "holds a placeholder", "reads a file" }));
    }

    private static void AssertAllSucceeded(DocumentedCalls.Replay replay) =>
        Assert.All(replay.Calls, c => Assert.True(
            (int)c.Status is >= 200 and < 300,
            $"line {c.Line}: {c.Method} {c.Url} answered {(int)c.Status} {c.Body}"));

    private static string KindAdminToken()
    {
        var secrets = Read("charts", "local", "kind", "secrets.yaml");
        var match = KindAdminTokenPattern().Match(secrets);
        Assert.True(match.Success, "charts/local/kind/secrets.yaml has no scim-admin-token");
        return match.Groups[1].Value.Trim('"');
    }

    private static string Read(params string[] parts) => File.ReadAllText(Path.Combine([_root, .. parts]));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Microservices.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"name: scim-admin-token\n(?:[^\n]*\n)*?\s+token: (\S+)")]
    private static partial Regex KindAdminTokenPattern();
}

public sealed class DocumentedCallsTestsOnSqlite(SqliteSystemFixture fixture) : DocumentedCallsTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class DocumentedCallsTestsOnPostgres(PostgresSystemFixture fixture) : DocumentedCallsTests(fixture), IClassFixture<PostgresSystemFixture>;
