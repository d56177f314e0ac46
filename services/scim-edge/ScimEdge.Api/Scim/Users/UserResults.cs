using System.Text.Encodings.Web;
using System.Text.Json;
using Microservices.Scim;
using Microservices.Scim.Lists;
using Microservices.Scim.Schemas;
using Microservices.ScimEdge.Api.Clients;

namespace Microservices.ScimEdge.Api.Scim.Users;

/// <summary>
/// A user, or a page of users, written straight to the response as <c>application/scim+json</c>. A user the selection
/// returns whole (the default projection, on almost every IdP call) is written from its record with
/// <see cref="UserMapping.WriteScim"/>; only one the selection trims goes through a DOM and
/// <see cref="AttributeSelection.Apply"/>. A 100-user page built as a DOM allocated about 1 MB on the edge.
/// </summary>
public sealed class UserResult(UserRecord user, ScimSettings settings, AttributeSelection? selection = null, int status = StatusCodes.Status200OK, string? location = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => UserJson.WriteAsync(httpContext, status, location, w => UserJson.Write(w, user, settings, selection));
}

/// <summary>A <c>ListResponse</c> of users (RFC 7644 §3.4.2), written as <see cref="UserResult"/> writes one.</summary>
public sealed class UserListResult(IReadOnlyList<UserRecord> users, int totalResults, int startIndex, ScimSettings settings, AttributeSelection selection) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => UserJson.WriteAsync(httpContext, StatusCodes.Status200OK, null, w =>
    {
        // The members and their order of ListResponse<T>; Resources is written even when empty (Entra's Test Connection).
        w.WriteStartObject();
        w.WriteStartArray("schemas");
        w.WriteStringValue(ScimConstants.ListResponseSchema);
        w.WriteEndArray();
        w.WriteNumber("totalResults", totalResults);
        w.WriteNumber("startIndex", startIndex);
        w.WriteNumber("itemsPerPage", users.Count);
        w.WriteStartArray(nameof(ListResponse<object>.Resources));
        foreach (var user in users)
        {
            UserJson.Write(w, user, settings, selection);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}

/// <summary>How the results write users: one place that chooses between the record and the projected DOM.</summary>
public static class UserJson
{
    // As ScimJsonResult writes: bodies are read by machines, never embedded in HTML.
    private static readonly JsonWriterOptions _options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One user: straight from the record when the selection keeps it whole (or there is none), else projected.</summary>
    public static void Write(Utf8JsonWriter w, UserRecord user, ScimSettings settings, AttributeSelection? selection)
    {
        if (selection is null)
        {
            UserMapping.WriteScim(w, user, settings);
        }
        else if (UserMapping.WritesAsReturned(user, selection))
        {
            UserMapping.WriteScim(w, user, settings, asReturned: true);
        }
        else
        {
            selection.Apply(UserMapping.ToScim(user, settings)).WriteTo(w);
        }
    }

    public static async Task WriteAsync(HttpContext httpContext, int status, string? location, Action<Utf8JsonWriter> write)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = ScimConstants.MediaType;
        if (location is not null)
        {
            response.Headers.Location = location;
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, _options))
        {
            write(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
