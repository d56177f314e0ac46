using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Scim;

/// <summary>A running system whose edge has small <c>Scim:Limits</c>, so each limit is reached with small requests.</summary>
public abstract class LimitedSystemFixture(StoreEngine engine) : IAsyncLifetime
{
    public const int MaxPayloadBytes = 4096;
    public const int MaxFilterLength = 120;
    public const int MaxFilterDepth = 3;
    public const int MaxPageSize = 4;
    public const int DefaultPageSize = 2;
    public const int MaxPatchOperations = 3;
    public const int MaxMembersPerOperation = 2;

    private RunningSystem? _system;

    public RunningSystem System => _system ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _system = await RunningSystem.StartAsync(engine, (service, settings) =>
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings["Scim:Limits:MaxPayloadBytes"] = $"{MaxPayloadBytes}";
            settings["Scim:Limits:MaxFilterLength"] = $"{MaxFilterLength}";
            settings["Scim:Limits:MaxFilterDepth"] = $"{MaxFilterDepth}";
            settings["Scim:Limits:MaxPageSize"] = $"{MaxPageSize}";
            settings["Scim:Limits:DefaultPageSize"] = $"{DefaultPageSize}";
            settings["Scim:Limits:MaxPatchOperations"] = $"{MaxPatchOperations}";
            settings["Scim:Limits:MaxMembersPerOperation"] = $"{MaxMembersPerOperation}";
        }
    });

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

public sealed class SqliteLimitedSystemFixture() : LimitedSystemFixture(StoreEngine.Sqlite);

public sealed class PostgresLimitedSystemFixture() : LimitedSystemFixture(StoreEngine.Postgres);

/// <summary>Every request limit is advertised and answered with a SCIM error that names it; none is a 500 or a reset.</summary>
public abstract class RequestLimitTests(LimitedSystemFixture fixture)
{
    [Fact]
    public async Task ServiceProviderConfig_AdvertisesTheConfiguredLimits()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);

        using var response = await t.Scim.GetAsync("ServiceProviderConfig");
        var body = await ScimTestTenant.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(LimitedSystemFixture.MaxPageSize, body["filter"]!["maxResults"]!.GetValue<int>());
        Assert.False(body["bulk"]!["supported"]!.GetValue<bool>());
        Assert.Equal(0, body["bulk"]!["maxOperations"]!.GetValue<int>());
        Assert.Equal(LimitedSystemFixture.MaxPayloadBytes, body["bulk"]!["maxPayloadSize"]!.GetValue<int>());
        var limits = body[ScimConstants.AssureServiceProviderConfigSchema]!;
        Assert.Equal(
            (LimitedSystemFixture.MaxPayloadBytes, LimitedSystemFixture.MaxFilterLength, LimitedSystemFixture.MaxFilterDepth, LimitedSystemFixture.MaxPageSize,
                LimitedSystemFixture.DefaultPageSize, LimitedSystemFixture.MaxPatchOperations, LimitedSystemFixture.MaxMembersPerOperation),
            (limits["maxPayloadSize"]!.GetValue<int>(), limits["maxFilterLength"]!.GetValue<int>(), limits["maxFilterDepth"]!.GetValue<int>(),
                limits["maxPageSize"]!.GetValue<int>(), limits["defaultPageSize"]!.GetValue<int>(), limits["maxPatchOperations"]!.GetValue<int>(),
                limits["maxMembersPerOperation"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("Users", false)]
    [InlineData("Users", true)]
    [InlineData("Groups", false)]
    [InlineData("Groups", true)]
    public async Task Create_BodyOverTheLimit_Is413NamingTheLimit(string endpoint, bool chunked)
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var body = ScimTestTenant.NewUser();
        body["displayName"] = new string('x', LimitedSystemFixture.MaxPayloadBytes);
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(ScimConstants.MediaType);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await t.Scim.SendAsync(request);

        var detail = await ScimTestTenant.AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxPayloadBytes", detail, StringComparison.Ordinal);
        Assert.Contains($"{LimitedSystemFixture.MaxPayloadBytes}", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Users")]
    [InlineData("Groups")]
    public async Task List_FilterOverTheLengthLimit_IsInvalidFilterNamingTheLimit(string endpoint)
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var filter = $"externalId eq \"{new string('a', LimitedSystemFixture.MaxFilterLength)}\"";

        using var response = await t.Scim.GetAsync($"{endpoint}?filter={Uri.EscapeDataString(filter)}");

        var detail = await ScimTestTenant.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalidFilter");
        Assert.Contains("MaxFilterLength", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Users")]
    [InlineData("Groups")]
    public async Task List_FilterOverTheDepthLimit_IsInvalidFilterNamingTheLimit(string endpoint)
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var depth = LimitedSystemFixture.MaxFilterDepth + 1;
        var filter = new string('(', depth) + "externalId eq \"x\"" + new string(')', depth);

        using var response = await t.Scim.GetAsync($"{endpoint}?filter={Uri.EscapeDataString(filter)}");

        var detail = await ScimTestTenant.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalidFilter");
        Assert.Contains($"limit of {LimitedSystemFixture.MaxFilterDepth}", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FilterAtTheDepthLimit_IsServed()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var depth = LimitedSystemFixture.MaxFilterDepth - 1;
        var filter = new string('(', depth) + "externalId eq \"x\"" + new string(')', depth);

        using var response = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString(filter)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Users")]
    [InlineData("Groups")]
    public async Task Patch_MoreOperationsThanTheLimit_IsTooManyNamingTheLimit(string endpoint)
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var operations = Enumerable.Range(0, LimitedSystemFixture.MaxPatchOperations + 1)
            .Select(i => (JsonNode)ScimTestTenant.Op("replace", "externalId", JsonValue.Create($"e{i}")))
            .ToArray();

        using var response = await t.Scim.PatchAsync($"{endpoint}/{Guid.NewGuid()}", ScimTestTenant.Patch(operations));

        var detail = await ScimTestTenant.AssertErrorAsync(response, HttpStatusCode.BadRequest, "tooMany");
        Assert.Contains($"limit of {LimitedSystemFixture.MaxPatchOperations}", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchGroup_MoreMembersInOneOperationThanTheLimit_IsInvalidValueNamingTheLimit()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var members = new JsonArray([.. Enumerable.Range(0, LimitedSystemFixture.MaxMembersPerOperation + 1)
            .Select(_ => (JsonNode)new JsonObject { ["value"] = Guid.NewGuid().ToString() })]);

        using var response = await t.Scim.PatchAsync($"Groups/{Guid.NewGuid()}", ScimTestTenant.Patch(ScimTestTenant.Op("add", "members", members)));

        var detail = await ScimTestTenant.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalidValue");
        Assert.Contains("MaxMembersPerOperation", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListUsers_CountAboveTheMaximumPageSize_IsCappedNotRefused()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        for (var i = 0; i <= LimitedSystemFixture.MaxPageSize; i++)
        {
            await t.CreateUserAsync(ScimTestTenant.NewUser());
        }

        using var capped = await t.Scim.GetAsync("Users?count=1000");
        using var unspecified = await t.Scim.GetAsync("Users");
        var page = await ScimTestTenant.ReadAsync(capped);
        var defaultPage = await ScimTestTenant.ReadAsync(unspecified);

        Assert.Equal(HttpStatusCode.OK, capped.StatusCode);
        Assert.Equal(LimitedSystemFixture.MaxPageSize + 1, page["totalResults"]!.GetValue<int>());
        Assert.Equal(LimitedSystemFixture.MaxPageSize, page["itemsPerPage"]!.GetValue<int>());
        Assert.Equal(LimitedSystemFixture.MaxPageSize, page["Resources"]!.AsArray().Count);
        Assert.Equal(LimitedSystemFixture.DefaultPageSize, defaultPage["Resources"]!.AsArray().Count);
    }

    /// <summary>A body stream without a length, so HttpClient has to send it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

public sealed class RequestLimitTestsOnSqlite(SqliteLimitedSystemFixture fixture) : RequestLimitTests(fixture), IClassFixture<SqliteLimitedSystemFixture>;

public sealed class RequestLimitTestsOnPostgres(PostgresLimitedSystemFixture fixture) : RequestLimitTests(fixture), IClassFixture<PostgresLimitedSystemFixture>;
