using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.Scim;

namespace Microservices.Services.Tests.Edge;

/// <summary>Calls and assertions the edge tests share.</summary>
internal static class EdgeTestApi
{
    public const string WellShapedUnknownKey = "ascim_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenantId() => "t-" + Guid.NewGuid().ToString("N");

    public static object TenantBody(string id, string? dateFormat = null) => dateFormat is null
        ? new { id, displayName = "Tenant " + id, defaultLanguage = "en-GB", timeZone = "Europe/London" }
        : new { id, displayName = "Tenant " + id, defaultLanguage = "en-GB", timeZone = "Europe/London", dateFormat };

    public static async Task<string> CreateTenantAsync(HttpClient admin, string? id = null)
    {
        id ??= NewTenantId();
        using var response = await admin.PostAsJsonAsync("tenants", TenantBody(id));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    public static async Task<(string Id, string Key)> CreateKeyAsync(HttpClient admin, string tenant, string? title = null)
    {
        using var response = await admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = title ?? "k" + Guid.NewGuid().ToString("N")[..12] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    /// <summary>A SCIM request with the Authorization header exactly as given (or none).</summary>
    public static HttpRequestMessage ScimRequest(HttpMethod method, string path, string? authorization)
    {
        var request = new HttpRequestMessage(method, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    /// <summary>Asserts an RFC 7644 §3.12 error: status, media type, schema, status as a JSON string. Returns the body.</summary>
    public static async Task<JsonElement> AssertScimErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(ScimConstants.MediaType, response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([ScimConstants.ErrorSchema], body.GetProperty("schemas").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.String, body.GetProperty("status").ValueKind);
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        return body;
    }

    /// <summary>Asserts a 401 SCIM answer with the Bearer challenge.</summary>
    public static async Task AssertScimUnauthorizedAsync(HttpResponseMessage response)
    {
        await AssertScimErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer realm=\"scim\"", string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
    }

    /// <summary>Asserts an RFC 7807 problem with <paramref name="status"/>; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        return body;
    }

    /// <summary>Asserts a 400 validation problem whose errors name exactly <paramref name="fields"/>.</summary>
    public static async Task AssertValidationProblemAsync(HttpResponseMessage response, params string[] fields)
    {
        var body = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var named = body.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(fields.Order(StringComparer.Ordinal), named);
    }
}
