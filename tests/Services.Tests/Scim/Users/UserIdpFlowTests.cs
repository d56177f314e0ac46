using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Services.Tests.Infrastructure;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>The request sequences Okta and Entra really send (domain-notes §2–3), over real HTTP through the edge.</summary>
public abstract class UserIdpFlowTests(SystemFixture fixture)
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    [Fact]
    public async Task Okta_CheckCreatePutDeactivateReactivate_PersonRegisterFollows()
    {
        using var t = await CreateAsync(fixture.System);
        var userName = $"okta{Guid.NewGuid():N}@example.com";

        using (var check = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{userName}\"")}&startIndex=1&count=100"))
        {
            var list = await ReadAsync(check);
            Assert.Equal(HttpStatusCode.OK, check.StatusCode);
            Assert.Equal(JsonValueKind.Number, list["totalResults"]!.GetValueKind());
            Assert.Equal(0, list["totalResults"]!.GetValue<int>());
            Assert.Empty(list["Resources"]!.AsArray());
        }

        var user = NewUser(userName);
        user["externalId"] = "00u1okta";
        user["password"] = "S3cret!pass";
        using var post = await t.Scim.PostAsync("Users", Json(user));
        var created = await ReadAsync(post);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        var id = created["id"]!.GetValue<string>();
        Assert.Equal($"{fixture.System.ScimBaseUrl}Users/{id}".Replace("scim//", "scim/", StringComparison.Ordinal), post.Headers.Location!.ToString());
        Assert.Equal(post.Headers.Location!.ToString(), created["meta"]!["location"]!.GetValue<string>());
        Assert.Equal(created["meta"]!["version"]!.GetValue<string>(), post.Headers.ETag!.ToString());
        Assert.Null(created["password"]);
        Assert.Equal("00u1okta", created["externalId"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", created["displayName"]!.GetValue<string>());
        Assert.Equal("en-GB", created["preferredLanguage"]!.GetValue<string>());
        Assert.Equal("Europe/London", created["timezone"]!.GetValue<string>());
        Assert.Equal(Sales, created[Enterprise]!["department"]!.GetValue<string>());
        Assert.DoesNotContain("S3cret", (await t.AdminUserAsync(id)).GetRawText(), StringComparison.Ordinal);

        using (var found = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{userName.ToUpperInvariant()}\"")}&startIndex=1&count=100"))
        {
            var list = await ReadAsync(found);
            Assert.Equal(1, list["totalResults"]!.GetValue<int>());
            Assert.Equal(id, list["Resources"]![0]!["id"]!.GetValue<string>());
        }

        // Okta's profile push: the whole resource as it last read it, id, meta and groups included.
        var put = created.DeepClone().AsObject();
        put["name"]!["familyName"] = "Byron";
        put["title"] = "Analyst " + Guid.NewGuid().ToString("N")[..6];
        put["emails"] = new JsonArray(new JsonObject { ["value"] = "ada.byron@example.com", ["type"] = "work", ["primary"] = true });
        put["displayName"] = "Ada Byron";
        using (var replace = await t.Scim.PutAsync($"Users/{id}", Json(put)))
        {
            var replaced = await ReadAsync(replace);
            Assert.True(replace.StatusCode == HttpStatusCode.OK, replaced.ToJsonString());
            Assert.Equal("Byron", replaced["name"]!["familyName"]!.GetValue<string>());
            Assert.Equal(id, replaced["id"]!.GetValue<string>());
            Assert.NotEqual(created["meta"]!["version"]!.GetValue<string>(), replaced["meta"]!["version"]!.GetValue<string>());
        }

        var record = await t.AdminUserAsync(id);
        var person = record.GetProperty("person");
        Assert.Equal("Ada", person.GetProperty("forename").GetString());
        Assert.Equal("Byron", person.GetProperty("surname").GetString());
        Assert.Equal("ada.byron@example.com", person.GetProperty("email").GetString());
        Assert.Equal(put["title"]!.GetValue<string>(), person.GetProperty("jobTitle").GetString());
        Assert.Equal(t.UnitIds[Sales], person.GetProperty("defaultUnitId").GetString());

        using var titles = await t.Admin.GetAsync($"tenants/{t.Id}/job-titles");
        var titleList = (await titles.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()).ToList();
        Assert.Single(titleList, put["title"]!.GetValue<string>());

        using (var deactivate = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", null, new JsonObject { ["active"] = false }))))
        {
            var body = await ReadAsync(deactivate);
            Assert.True(deactivate.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.False(body["active"]!.GetValue<bool>());
        }

        Assert.False((await t.GetUserAsync(id))["active"]!.GetValue<bool>());
        Assert.False((await t.AdminUserAsync(id)).GetProperty("person").GetProperty("current").GetBoolean());
        using (var inactive = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{userName}\" and active eq false")}"))
        {
            Assert.Equal(1, (await ReadAsync(inactive))["totalResults"]!.GetValue<int>());
        }

        using (var reactivate = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", null, new JsonObject { ["active"] = true }))))
        {
            Assert.True((await ReadAsync(reactivate))["active"]!.GetValue<bool>());
        }

        Assert.True((await t.AdminUserAsync(id)).GetProperty("person").GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Okta_ImportPagedBy100_EveryUserOnceAndTotalExact()
    {
        using var t = await CreateAsync(fixture.System);
        var names = new HashSet<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 250), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var created = await t.CreateUserAsync(NewUser($"import{i:D3}-{Guid.NewGuid():N}@example.com"));
            lock (names)
            {
                names.Add(created["id"]!.GetValue<string>());
            }
        });

        var seen = new List<string>();
        for (var start = 1; ; start += 100)
        {
            using var page = await t.Scim.GetAsync($"Users?startIndex={start}&count=100");
            var list = await ReadAsync(page);
            Assert.Equal(250, list["totalResults"]!.GetValue<int>());
            Assert.Equal(start, list["startIndex"]!.GetValue<int>());
            var resources = list["Resources"]!.AsArray();
            seen.AddRange(resources.Select(r => r!["id"]!.GetValue<string>()));
            if (resources.Count < 100)
            {
                break;
            }
        }

        Assert.Equal(250, seen.Count);
        Assert.Equal(names, seen.ToHashSet());
    }

    [Fact]
    public async Task Entra_TestConnectionPatchDialectSoftAndHardDelete_ComesBackWithSameId()
    {
        using var t = await CreateAsync(fixture.System);
        using (var test = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{Guid.NewGuid()}\"")}"))
        {
            var list = await ReadAsync(test);
            Assert.Equal(HttpStatusCode.OK, test.StatusCode);
            Assert.Equal(0, list["totalResults"]!.GetValue<int>());
            Assert.NotNull(list["Resources"]);
        }

        var userName = $"entra{Guid.NewGuid():N}@contoso.com";
        var user = NewUser(userName);
        user["externalId"] = "mailnick" + Guid.NewGuid().ToString("N")[..8];
        user["active"] = "True";
        var created = await t.CreateUserAsync(user);
        var id = created["id"]!.GetValue<string>();

        using (var byExternal = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"externalId eq \"{user["externalId"]}\"")}"))
        {
            Assert.Equal(id, (await ReadAsync(byExternal))["Resources"]![0]!["id"]!.GetValue<string>());
        }

        using (var patch = await t.Scim.PatchAsync($"Users/{id}", Patch(
            Op("Replace", "name.givenName", JsonValue.Create("Augusta")),
            Op("Replace", "emails[type eq \"work\"].value", JsonValue.Create("augusta@contoso.com")),
            Op("Add", "title", JsonValue.Create("Director")),
            Op("Replace", $"{Enterprise}:department", JsonValue.Create(Support)),
            Op("Remove", "displayName", null),
            Op("Replace", null, new JsonObject { ["name.familyName"] = "King", ["preferredLanguage"] = "fr-FR" }))))
        {
            var body = await ReadAsync(patch);
            Assert.True(patch.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("Augusta", body["name"]!["givenName"]!.GetValue<string>());
            Assert.Equal("King", body["name"]!["familyName"]!.GetValue<string>());
            Assert.Equal("augusta@contoso.com", body["emails"]![0]!["value"]!.GetValue<string>());
            Assert.Equal(Support, body[Enterprise]!["department"]!.GetValue<string>());
            Assert.Equal("fr-FR", body["preferredLanguage"]!.GetValue<string>());
            Assert.Equal(patch.Headers.ETag!.ToString(), body["meta"]!["version"]!.GetValue<string>());
        }

        var person = (await t.AdminUserAsync(id)).GetProperty("person");
        Assert.Equal("Augusta", person.GetProperty("forename").GetString());
        Assert.Equal("King", person.GetProperty("surname").GetString());
        Assert.Equal("augusta@contoso.com", person.GetProperty("email").GetString());
        Assert.Equal("Director", person.GetProperty("jobTitle").GetString());
        Assert.Equal(t.UnitIds[Support], person.GetProperty("defaultUnitId").GetString());

        // Soft delete: Entra's string boolean.
        using (var soft = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("Replace", "active", JsonValue.Create("False")))))
        {
            Assert.False((await ReadAsync(soft))["active"]!.GetValue<bool>());
        }

        Assert.False((await t.AdminUserAsync(id)).GetProperty("person").GetProperty("current").GetBoolean());

        using (var delete = await t.Scim.DeleteAsync($"Users/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var get = await t.Scim.GetAsync($"Users/{id}"))
        {
            await AssertErrorAsync(get, HttpStatusCode.NotFound);
        }

        using (var patchGone = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("Replace", "title", JsonValue.Create("x")))))
        {
            await AssertErrorAsync(patchGone, HttpStatusCode.NotFound);
        }

        using (var putGone = await t.Scim.PutAsync($"Users/{id}", Json(NewUser(userName))))
        {
            await AssertErrorAsync(putGone, HttpStatusCode.NotFound);
        }

        using (var deleteGone = await t.Scim.DeleteAsync($"Users/{id}"))
        {
            await AssertErrorAsync(deleteGone, HttpStatusCode.NotFound);
        }

        using (var gone = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{userName}\"")}"))
        {
            Assert.Equal(0, (await ReadAsync(gone))["totalResults"]!.GetValue<int>());
        }

        var again = await t.CreateUserAsync(NewUser(userName));
        Assert.Equal(id, again["id"]!.GetValue<string>());
        Assert.True((await t.AdminUserAsync(id)).GetProperty("person").GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Patch_ConcurrentAddsToOneUser_NoUpdateIsLost()
    {
        using var t = await CreateAsync(fixture.System);
        var id = (await t.CreateUserAsync(NewUser()))["id"]!.GetValue<string>();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
        {
            using var response = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("add", "emails", new JsonArray(new JsonObject { ["value"] = $"extra{i}@example.com", ["type"] = "other" }))));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }));

        var emails = (await t.GetUserAsync(id))["emails"]!.AsArray().Select(e => e!["value"]!.GetValue<string>()).ToHashSet();
        Assert.All(Enumerable.Range(0, 5), i => Assert.Contains($"extra{i}@example.com", emails));
    }

    [Fact]
    public async Task Mapping_UserTypeEntitlementsExtensionsAndOpaqueAttributes_RoundTrip()
    {
        using var t = await CreateAsync(fixture.System);
        var user = NewUser();
        user["userType"] = "AgoOnly";
        user["nickName"] = "Countess";
        user["timezone"] = "America/New_York";
        user["locale"] = "en-US";
        user["entitlements"] = new JsonArray(new JsonObject { ["value"] = "Manager" });
        user["addresses"] = new JsonArray(new JsonObject { ["locality"] = "London", ["type"] = "work" });
        user[Enterprise]!["costCenter"] = "CC-9";
        user[Enterprise]!["manager"] = new JsonObject { ["value"] = "boss-id" };
        user[ScimConstants.AssureUserSchema] = new JsonObject { ["dateFormat"] = "yyyy-mm-dd", ["personReference"] = "P-77" };

        var created = await t.CreateUserAsync(user);
        var assure = created[ScimConstants.AssureUserSchema]!;
        Assert.Equal("AssureGO+ only", assure["accessType"]!.GetValue<string>());
        Assert.True(assure["isManager"]!.GetValue<bool>());
        Assert.Equal("YYYY-MM-DD", assure["dateFormat"]!.GetValue<string>());
        Assert.Equal("P-77", assure["personReference"]!.GetValue<string>());
        Assert.Equal("Countess", created["nickName"]!.GetValue<string>());
        Assert.Equal("London", created["addresses"]![0]!["locality"]!.GetValue<string>());
        Assert.Equal("CC-9", created[Enterprise]!["costCenter"]!.GetValue<string>());
        Assert.Equal("boss-id", created[Enterprise]!["manager"]!["value"]!.GetValue<string>());
        Assert.Equal("America/New_York", created["timezone"]!.GetValue<string>());
        Assert.Equal("en-US", created["preferredLanguage"]!.GetValue<string>());

        // Only what Assure has no field for is kept as sent; everything mapped is rebuilt from the fields on the way out.
        var stored = (await t.AdminUserAsync(created["id"]!.GetValue<string>())).GetProperty("attributes");
        Assert.Equal(
            ["addresses", "entitlements", "nickName", Enterprise],
            stored.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["costCenter", "manager"], stored.GetProperty(Enterprise).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // A PUT without the entitlement clears Is Manager; without userType the user gets full access.
        var put = NewUser(created["userName"]!.GetValue<string>());
        using var replace = await t.Scim.PutAsync($"Users/{created["id"]}", Json(put));
        var replaced = await ReadAsync(replace);
        Assert.False(replaced[ScimConstants.AssureUserSchema]!["isManager"]!.GetValue<bool>());
        Assert.Equal("Assure and AssureGO+", replaced[ScimConstants.AssureUserSchema]!["accessType"]!.GetValue<string>());
        Assert.Equal("DD/MM/YYYY", replaced[ScimConstants.AssureUserSchema]!["dateFormat"]!.GetValue<string>());
        Assert.Null(replaced["nickName"]);

        using var projected = await t.Scim.GetAsync($"Users/{created["id"]}?attributes=userName,name.givenName");
        var body = await ReadAsync(projected);
        Assert.NotNull(body["id"]);
        Assert.NotNull(body["userName"]);
        Assert.Null(body["emails"]);
        Assert.Equal("Ada", body["name"]!["givenName"]!.GetValue<string>());
        Assert.Null(body["name"]!["familyName"]);
    }

    [Fact]
    public async Task Mapping_FullName_DisplayNameElseFormattedElseComposedFromEveryPart()
    {
        using var t = await CreateAsync(fixture.System);

        async Task<(JsonObject Scim, string? Stored)> Create(Action<JsonObject> shape)
        {
            var user = NewUser();
            shape(user);
            var created = await t.CreateUserAsync(user);
            return (created, (await t.AdminUserAsync(created["id"]!.GetValue<string>())).GetProperty("displayName").GetString());
        }

        var formattedOnly = await Create(u => u["name"]!["formatted"] = "Countess Ada of Lovelace");
        Assert.Equal("Countess Ada of Lovelace", formattedOnly.Scim["displayName"]!.GetValue<string>());
        Assert.Equal("Countess Ada of Lovelace", formattedOnly.Stored);

        var both = await Create(u =>
        {
            u["displayName"] = "Ada L.";
            u["name"]!["formatted"] = "A. Lovelace";
        });
        Assert.Equal(("Ada L.", "A. Lovelace"), (both.Scim["displayName"]!.GetValue<string>(), both.Scim["name"]!["formatted"]!.GetValue<string>()));

        var parts = await Create(u =>
        {
            u["name"]!["honorificPrefix"] = "Dr";
            u["name"]!["middleName"] = "King";
            u["name"]!["honorificSuffix"] = "FRS";
        });
        Assert.Equal("Dr Ada King Lovelace FRS", parts.Scim["displayName"]!.GetValue<string>());
        Assert.Equal("Dr Ada King Lovelace FRS", parts.Scim["name"]!["formatted"]!.GetValue<string>());
        Assert.Equal("Dr Ada King Lovelace FRS", parts.Stored);

        // A composed full name follows a PATCH of the parts; one the IdP chose stays.
        using (var patch = await t.Scim.PatchAsync($"Users/{parts.Scim["id"]}", Patch(Op("replace", "name.familyName", JsonValue.Create("Byron")))))
        {
            var body = await ReadAsync(patch);
            Assert.True(patch.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("Dr Ada King Byron FRS", body["displayName"]!.GetValue<string>());
            Assert.Equal("Dr Ada King Byron FRS", body["name"]!["formatted"]!.GetValue<string>());
        }

        using (var patch = await t.Scim.PatchAsync($"Users/{formattedOnly.Scim["id"]}", Patch(Op("replace", "name.givenName", JsonValue.Create("Augusta")))))
        {
            var body = await ReadAsync(patch);
            Assert.Equal("Countess Ada of Lovelace", body["displayName"]!.GetValue<string>());
            Assert.Equal("Augusta", body["name"]!["givenName"]!.GetValue<string>());
        }

        // Entra removing displayName: the full name falls back to name.formatted.
        using (var patch = await t.Scim.PatchAsync($"Users/{both.Scim["id"]}", Patch(Op("Remove", "displayName", null))))
        {
            Assert.Equal("A. Lovelace", (await ReadAsync(patch))["displayName"]!.GetValue<string>());
        }

        Assert.Equal("A. Lovelace", (await t.AdminUserAsync(both.Scim["id"]!.GetValue<string>())).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Mapping_Email_PrimaryElseWork_WithMixedHomeAndWorkAndNoPrimary()
    {
        using var t = await CreateAsync(fixture.System);
        var user = NewUser();
        user["emails"] = new JsonArray(
            new JsonObject { ["value"] = "ada@home.example", ["type"] = "home" },
            new JsonObject { ["value"] = "ada@work.example", ["type"] = "Work" },
            new JsonObject { ["value"] = "lovelace@home.example", ["type"] = "home" },
            new JsonObject { ["value"] = "second@work.example", ["type"] = "work" });

        var created = await t.CreateUserAsync(user);
        var id = created["id"]!.GetValue<string>();

        var record = await t.AdminUserAsync(id);
        Assert.Equal("ada@work.example", record.GetProperty("email").GetString());
        Assert.Equal("ada@work.example", record.GetProperty("person").GetProperty("email").GetString());
        var emails = created["emails"]!.AsArray();
        Assert.Equal(["ada@home.example", "ada@work.example", "lovelace@home.example", "second@work.example"], emails.Select(e => e!["value"]!.GetValue<string>()));
        Assert.All(emails, e => Assert.Null(e!["primary"]));

        // Marking a home address primary makes it the user's email.
        using var patch = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", "emails[value eq \"lovelace@home.example\"].primary", JsonValue.Create(true))));
        Assert.True(patch.StatusCode == HttpStatusCode.OK, (await ReadAsync(patch)).ToJsonString());
        record = await t.AdminUserAsync(id);
        Assert.Equal("lovelace@home.example", record.GetProperty("email").GetString());
        Assert.Equal("lovelace@home.example", record.GetProperty("person").GetProperty("email").GetString());
    }

    [Fact]
    public async Task Filter_SortAndSearch_RunOverDomainFields()
    {
        using var t = await CreateAsync(fixture.System);
        var a = NewUser($"a{Guid.NewGuid():N}@example.com", Support);
        a["name"]!["familyName"] = "Zed";
        var b = NewUser($"b{Guid.NewGuid():N}@example.com");
        b["emails"] = new JsonArray(new JsonObject { ["value"] = "bee@other.org", ["type"] = "home" });
        await t.CreateUserAsync(a);
        await t.CreateUserAsync(b);

        async Task<List<string>> UserNames(string query)
        {
            using var response = await t.Scim.GetAsync("Users?" + query);
            var list = await ReadAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, list.ToJsonString());
            return [.. list["Resources"]!.AsArray().Select(r => r!["userName"]!.GetValue<string>())];
        }

        string F(string filter) => "filter=" + Uri.EscapeDataString(filter);
        Assert.Equal([a["userName"]!.GetValue<string>()], await UserNames(F($"{Enterprise}:department eq \"{Support}\"")));
        Assert.Equal([b["userName"]!.GetValue<string>()], await UserNames(F("emails[type eq \"home\" and value ew \"other.org\"]")));
        Assert.Equal([a["userName"]!.GetValue<string>()], await UserNames(F("name.familyName eq \"zed\"")));
        Assert.Equal(2, (await UserNames(F("meta.created pr and active eq true"))).Count);
        Assert.Equal([b["userName"]!.GetValue<string>(), a["userName"]!.GetValue<string>()], await UserNames("sortBy=name.familyName&sortOrder=ascending"));

        using var search = await t.Scim.PostAsync("Users/.search", Json(new JsonObject
        {
            ["schemas"] = new JsonArray(ScimConstants.SearchRequestSchema),
            ["filter"] = $"userName eq \"{a["userName"]}\"",
            ["attributes"] = new JsonArray("userName"),
        }));
        var found = await ReadAsync(search);
        Assert.Equal(1, found["totalResults"]!.GetValue<int>());
        Assert.Null(found["Resources"]![0]!["name"]);
    }

    [Fact]
    public async Task TenantIsolation_OtherTenantsKey_SeesNothingOfTheUser()
    {
        using var a = await CreateAsync(fixture.System);
        using var b = await CreateAsync(fixture.System);
        var user = await a.CreateUserAsync(NewUser());
        var id = user["id"]!.GetValue<string>();

        using (var get = await b.Scim.GetAsync($"Users/{id}"))
        {
            await AssertErrorAsync(get, HttpStatusCode.NotFound);
        }

        using (var put = await b.Scim.PutAsync($"Users/{id}", Json(NewUser(user["userName"]!.GetValue<string>()))))
        {
            await AssertErrorAsync(put, HttpStatusCode.NotFound);
        }

        using (var patch = await b.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", "title", JsonValue.Create("Hijacked")))))
        {
            await AssertErrorAsync(patch, HttpStatusCode.NotFound);
        }

        using (var delete = await b.Scim.DeleteAsync($"Users/{id}"))
        {
            await AssertErrorAsync(delete, HttpStatusCode.NotFound);
        }

        using (var list = await b.Scim.GetAsync($"Users?filter={Uri.EscapeDataString($"userName eq \"{user["userName"]}\" or id eq \"{id}\"")}"))
        {
            Assert.Equal(0, (await ReadAsync(list))["totalResults"]!.GetValue<int>());
        }

        var after = await a.GetUserAsync(id);
        Assert.Equal(user["meta"]!["version"]!.GetValue<string>(), after["meta"]!["version"]!.GetValue<string>());
        Assert.True(after["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Groups_MemberAddedAndRemovedThroughScimPatch_UserShowsGroupWithValueDisplayAndRefThenNot()
    {
        using var t = await CreateAsync(fixture.System);
        var userId = (await t.CreateUserAsync(NewUser()))["id"]!.GetValue<string>();
        var bystanderId = (await t.CreateUserAsync(NewUser()))["id"]!.GetValue<string>();
        var name = "Night Shift " + Guid.NewGuid().ToString("N")[..8];
        using var post = await t.Scim.PostAsync("Groups", Json(NewGroup(name)));
        var groupId = (await ReadAsync(post))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);

        using (var add = await t.Scim.PatchAsync($"Groups/{groupId}", Patch(Op("add", "members", new JsonArray(new JsonObject { ["value"] = userId })))))
        {
            Assert.Equal(HttpStatusCode.NoContent, add.StatusCode);
        }

        // The users service learns memberships from roles' events: poll (bounded) until the projection shows it.
        var member = await t.WaitForUserAsync(userId, u => u["groups"] is JsonArray { Count: > 0 }, "the group membership");
        var group = Assert.Single(member["groups"]!.AsArray())!;
        Assert.Equal(groupId, group["value"]!.GetValue<string>());
        Assert.Equal(name, group["display"]!.GetValue<string>());
        Assert.Equal($"{fixture.System.ScimBaseUrl}Groups/{groupId}", group["$ref"]!.GetValue<string>());
        Assert.Null((await t.GetUserAsync(bystanderId))["groups"]);
        using (var projected = await t.Scim.GetAsync($"Users/{userId}?attributes=groups"))
        {
            Assert.Equal(groupId, (await ReadAsync(projected))["groups"]![0]!["value"]!.GetValue<string>());
        }

        // Entra's removal dialect: Remove with a value list.
        using (var remove = await t.Scim.PatchAsync($"Groups/{groupId}", Patch(Op("Remove", "members", new JsonArray(new JsonObject { ["value"] = userId })))))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }

        await t.WaitForUserAsync(userId, u => u["groups"] is null, "the removal of the group membership");
    }

    [Fact]
    public async Task Defaults_UserWithoutLanguageZoneOrDateFormat_GetsTheTenantsOwnDefaults()
    {
        // Not the en-GB / Europe/London / DD/MM/YYYY of every other test tenant, which a hard-coded default would match.
        using var t = await CreateAsync(fixture.System, defaultLanguage: "fr-CA", timeZone: "America/Toronto", dateFormat: "YYYY-MM-DD");
        var user = NewUser();
        Assert.Null(user["preferredLanguage"] ?? user["locale"] ?? user["timezone"] ?? user[ScimConstants.AssureUserSchema]);

        var created = await t.CreateUserAsync(user);
        var id = created["id"]!.GetValue<string>();

        foreach (var scim in new[] { created, await t.GetUserAsync(id) })
        {
            Assert.Equal("fr-CA", scim["preferredLanguage"]!.GetValue<string>());
            Assert.Null(scim["locale"]);
            Assert.Equal("America/Toronto", scim["timezone"]!.GetValue<string>());
            Assert.Equal("YYYY-MM-DD", scim[ScimConstants.AssureUserSchema]!["dateFormat"]!.GetValue<string>());
        }

        var record = await t.AdminUserAsync(id);
        Assert.Equal("fr-CA", record.GetProperty("preferredLanguage").GetString());
        Assert.Equal("America/Toronto", record.GetProperty("timeZone").GetString());
        Assert.Equal("YYYY-MM-DD", record.GetProperty("dateFormat").GetString());

        // Values of its own win; a PUT that leaves them out goes back to the tenant's.
        var own = NewUser(created["userName"]!.GetValue<string>());
        own["timezone"] = "Europe/Paris";
        own["locale"] = "de-DE";
        own[ScimConstants.AssureUserSchema] = new JsonObject { ["dateFormat"] = "MM/DD/YYYY" };
        using (var put = await t.Scim.PutAsync($"Users/{id}", Json(own)))
        {
            var body = await ReadAsync(put);
            Assert.Equal(("de-DE", "Europe/Paris", "MM/DD/YYYY"), (body["preferredLanguage"]!.GetValue<string>(), body["timezone"]!.GetValue<string>(), body[ScimConstants.AssureUserSchema]!["dateFormat"]!.GetValue<string>()));
        }

        using (var put = await t.Scim.PutAsync($"Users/{id}", Json(NewUser(created["userName"]!.GetValue<string>()))))
        {
            var body = await ReadAsync(put);
            Assert.Equal(("fr-CA", "America/Toronto", "YYYY-MM-DD"), (body["preferredLanguage"]!.GetValue<string>(), body["timezone"]!.GetValue<string>(), body[ScimConstants.AssureUserSchema]!["dateFormat"]!.GetValue<string>()));
        }

        record = await t.AdminUserAsync(id);
        Assert.Equal(("fr-CA", "America/Toronto", "YYYY-MM-DD"), (record.GetProperty("preferredLanguage").GetString(), record.GetProperty("timeZone").GetString(), record.GetProperty("dateFormat").GetString()));
    }

    [Fact]
    public async Task Discovery_Documents_UseThePublicBaseUrlAndLimits()
    {
        using var t = await CreateAsync(fixture.System);
        using var config = await t.Scim.GetAsync("ServiceProviderConfig");
        var body = await ReadAsync(config);
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.True(body["patch"]!["supported"]!.GetValue<bool>());
        Assert.Equal(1000, body["filter"]!["maxResults"]!.GetValue<int>());

        using var types = await t.Scim.GetAsync("ResourceTypes");
        Assert.Equal(2, (await ReadAsync(types))["totalResults"]!.GetValue<int>());
        using var userType = await t.Scim.GetAsync("ResourceTypes/User");
        Assert.StartsWith(fixture.System.EdgeUrl.ToString().TrimEnd('/'), (await ReadAsync(userType))["meta"]!["location"]!.GetValue<string>(), StringComparison.Ordinal);
        using var schemas = await t.Scim.GetAsync("Schemas");
        Assert.Equal(4, (await ReadAsync(schemas))["totalResults"]!.GetValue<int>());
        using var schema = await t.Scim.GetAsync($"Schemas/{ScimConstants.AssureUserSchema}");
        Assert.Equal(ScimConstants.AssureUserSchema, (await ReadAsync(schema))["id"]!.GetValue<string>());
        using var unknown = await t.Scim.GetAsync("Schemas/urn:nope");
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound);

        using var anonymous = fixture.System.ScimClient(null);
        using var refused = await anonymous.GetAsync("ServiceProviderConfig");
        await AssertErrorAsync(refused, HttpStatusCode.Unauthorized);
    }
}

public sealed class UserIdpFlowTestsOnSqlite(SqliteSystemFixture fixture) : UserIdpFlowTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserIdpFlowTestsOnPostgres(PostgresSystemFixture fixture) : UserIdpFlowTests(fixture), IClassFixture<PostgresSystemFixture>;
