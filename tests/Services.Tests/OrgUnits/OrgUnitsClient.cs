using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.OrgUnits;

public sealed record Unit(
    string Id, string Name, string? ExternalId, string? ParentId, bool Enabled, string Path, int Depth, int Version, string Created, string LastModified);

/// <summary>The orgunits internal API for one tenant, over real HTTP, as the edge calls it.</summary>
public sealed class OrgUnitsClient(HttpClient http, string tenant) : IDisposable
{
    public const string Base = "/internal/orgunits";

    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    public string Tenant { get; } = tenant;

    public HttpClient Http { get; } = http;

    public static OrgUnitsClient ForNewTenant(RunningSystem system)
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        var http = system.InternalClient("orgunits", tenant);
        http.Timeout = TimeSpan.FromMinutes(20);
        return new OrgUnitsClient(http, tenant);
    }

    public Task<HttpResponseMessage> PostAsync(object body) => Http.PostAsJsonAsync(Base, body, _json);

    public async Task<Unit> CreateAsync(string name, string? parentId = null, string? externalId = null, string? parentExternalId = null)
    {
        using var response = await PostAsync(new { name, parentId, parentExternalId, externalId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var unit = await ReadAsync<Unit>(response);
        Assert.Equal($"{Base}/{unit.Id}", response.Headers.Location?.ToString());
        return unit;
    }

    public Task<HttpResponseMessage> PatchAsync(string id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{Base}/{id}") { Content = JsonContent.Create(body, options: _json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Http.SendAsync(request);
    }

    public async Task<Unit> PatchOkAsync(string id, object body)
    {
        using var response = await PatchAsync(id, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await ReadAsync<Unit>(response);
    }

    public async Task<Unit> GetAsync(string id)
    {
        using var response = await Http.GetAsync($"{Base}/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync<Unit>(response);
    }

    public async Task<List<Unit>> ListAsync(bool? includeDisabled = null)
    {
        var query = includeDisabled is null ? string.Empty : $"?includeDisabled={(includeDisabled.Value ? "true" : "false")}";
        using var response = await Http.GetAsync(Base + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadAsync<UnitList>(response)).Items;
    }

    public Task<HttpResponseMessage> ResolveAsync(string externalId) =>
        Http.GetAsync($"{Base}/resolve?externalId={Uri.EscapeDataString(externalId)}");

    public Task<HttpResponseMessage> BatchAsync(IEnumerable<object> units) =>
        Http.PostAsJsonAsync($"{Base}/batch", new { units }, _json);

    public Task<HttpResponseMessage> ImportAsync(string csv) => ImportAsync(Encoding.UTF8.GetBytes(csv));

    public Task<HttpResponseMessage> ImportAsync(byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        return Http.PostAsync($"{Base}/import", content);
    }

    public Task<HttpResponseMessage> ImportAsync(HttpContent content) => Http.PostAsync($"{Base}/import", content);

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(_json))!;

    /// <summary>The problem document of a refused request, after checking its status and media type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>True when the problem names <paramref name="field"/> in <c>errors</c> or its <c>field</c> extension.</summary>
    public static bool NamesField(JsonElement problem, string field) =>
        (problem.TryGetProperty("field", out var f) && f.GetString() == field)
        || (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty(field, out _));

    public void Dispose() => Http.Dispose();

    private sealed record UnitList(List<Unit> Items);
}
