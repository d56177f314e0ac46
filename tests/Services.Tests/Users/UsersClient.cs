using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

/// <summary>The users service's internal API for one tenant, over real HTTP, as the edge calls it.</summary>
internal sealed class UsersClient(RunningSystem system, string tenant) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // Seeding tens of thousands of users on a shared, busy machine can outlast HttpClient's 100 s default.
    public HttpClient Http { get; } = WithTimeout(system.InternalClient("users", tenant));

    public string Tenant { get; } = tenant;

    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    public static UserWrite Sample(string userName, string givenName = "Ada", string familyName = "Lovelace") => new(
        UserName: userName,
        ExternalId: "ext-" + userName,
        DisplayName: $"{givenName} {familyName}",
        GivenName: givenName,
        FamilyName: familyName,
        MiddleName: null,
        HonorificPrefix: null,
        HonorificSuffix: null,
        FormattedName: null,
        Email: userName + "@example.com",
        Emails: [new EmailWrite(userName + "@example.com", "work", true)],
        Active: true,
        UserType: "Employee",
        AccessType: "full",
        IsManager: false,
        PreferredLanguage: "en-GB",
        Locale: "en-GB",
        TimeZone: "Europe/London",
        DateFormat: "DD/MM/YYYY",
        Title: null,
        DefaultUnit: new UnitSnapshot("unit-1", "OU-1", "Head Office", true, null),
        EmployeeNumber: null,
        PersonReference: null,
        WorkPhone: null,
        MobilePhone: null,
        Attributes: null);

    /// <summary>The write that reproduces a stored user: what a read-modify-write caller (the edge's PATCH) starts from.</summary>
    public static UserWrite ToWrite(UserRecord user) => new(
        user.UserName, user.ExternalId, user.DisplayName, user.GivenName, user.FamilyName, user.MiddleName, user.HonorificPrefix,
        user.HonorificSuffix, user.FormattedName, user.Email, [.. user.Emails.Select(e => new EmailWrite(e.Value, e.Type, e.Primary))],
        user.Active, user.UserType, user.AccessType, user.IsManager, user.PreferredLanguage, user.Locale, user.TimeZone, user.DateFormat,
        user.Title, new UnitSnapshot(user.DefaultUnit.Id, user.DefaultUnit.ExternalId, user.DefaultUnit.Name, user.DefaultUnit.Enabled, null),
        user.EmployeeNumber, user.PersonReference, user.WorkPhone, user.MobilePhone,
        user.Attributes is { } attributes ? JsonDocument.Parse(attributes.Json).RootElement.Clone() : null);

    public async Task<UserRecord> CreateAsync(UserWrite user)
    {
        using var response = await Http.PostAsJsonAsync("/internal/users", user, Json);
        await ExpectAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<UserRecord>(Json))!;
    }

    public Task<HttpResponseMessage> PostAsync(UserWrite user) => Http.PostAsJsonAsync("/internal/users", user, Json);

    public Task<HttpResponseMessage> PutAsync(string id, UserWrite user, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/internal/users/" + id) { Content = JsonContent.Create(user, options: Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Http.SendAsync(request);
    }

    public async Task<UserRecord> ReplaceAsync(string id, UserWrite user, string? ifMatch = null)
    {
        using var response = await PutAsync(id, user, ifMatch);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<UserRecord>(Json))!;
    }

    public async Task<UserRecord?> GetAsync(string id)
    {
        using var response = await Http.GetAsync("/internal/users/" + id);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<UserRecord>(Json))!;
    }

    public async Task<(UserList List, string? Strategy)> ListAsync(string query = "")
    {
        using var response = await Http.GetAsync("/internal/users" + query);
        await ExpectAsync(response, HttpStatusCode.OK);
        var strategy = response.Headers.TryGetValues("X-Page-Strategy", out var values) ? values.Single() : null;
        return ((await response.Content.ReadFromJsonAsync<UserList>(Json))!, strategy);
    }

    /// <summary>Lists with a filter and returns the userNames that matched, sorted.</summary>
    public async Task<string[]> MatchAsync(string filter)
    {
        var (list, _) = await ListAsync("?count=1000&filter=" + Uri.EscapeDataString(filter));
        Assert.Equal(list.Items.Count, list.TotalResults);
        return [.. list.Items.Select(u => u.UserName).Order(StringComparer.Ordinal)];
    }

    public async Task<int> SeedAsync(IEnumerable<UserWrite> users)
    {
        using var response = await Http.PostAsJsonAsync("/internal/users/batch", new UsersBatch([.. users]), Json);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<BatchCreated>(Json))!.Created;
    }

    public Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string body, string contentType = "application/json") =>
        Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)) });

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        await ExpectAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            Assert.Fail($"expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public void Dispose() => Http.Dispose();

    private static HttpClient WithTimeout(HttpClient client)
    {
        client.Timeout = TimeSpan.FromMinutes(10);
        return client;
    }
}
