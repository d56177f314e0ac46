using System.Globalization;
using Microservices.ServiceDefaults.Internal;
using Microservices.Users.Api.Domain;
using Microservices.Users.Api.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Microservices.Users.Api.Endpoints;

/// <summary>The users service's internal API (docs/users-service.md). Only the SCIM edge calls it.</summary>
public static class UsersEndpoints
{
    /// <summary>Diagnostic response header of the list route: <c>keyset</c> or <c>offset</c>.</summary>
    public const string PageStrategyHeader = "X-Page-Strategy";

    private const long MaxBatchBodyBytes = 512L * 1024 * 1024;

    public static IEndpointRouteBuilder MapUsersEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireTenant();
        api.AddEndpointFilter(async (invocation, next) =>
        {
            try
            {
                return await next(invocation);
            }
            catch (ProblemException problem)
            {
                return problem.ToResult();
            }
        });

        var users = api.MapGroup("/users");
        users.MapPost("", CreateAsync);
        users.MapGet("", ListAsync);
        users.MapGet("/{id}", GetAsync);
        users.MapPut("/{id}", ReplaceAsync);
        users.MapDelete("/{id}", DeleteAsync);
        users.MapPost("/exists", ExistsAsync);
        users.MapPost("/batch", BatchAsync).WithMetadata(new RequestSizeLimitAttribute(MaxBatchBodyBytes));
        api.MapGet("/job-titles", JobTitlesAsync);
        return app;
    }

    private static async Task<Created<UserRecord>> CreateAsync(HttpContext context, UserStore store, CancellationToken cancellationToken)
    {
        var user = UserData.From(await RequestJson.ReadAsync<UserWrite>(context.Request, cancellationToken));
        var created = await store.CreateAsync(context.TenantId(), user, cancellationToken);
        SetETag(context, created);
        return TypedResults.Created($"/internal/users/{Uri.EscapeDataString(created.Id)}", created);
    }

    private static async Task<Results<Ok<UserRecord>, ProblemHttpResult>> GetAsync(
        string id, HttpContext context, UserStore store, [FromQuery] string? person, [FromQuery] string? includeDeleted, CancellationToken cancellationToken)
    {
        var withPerson = ParseBool(person, nameof(person), true);
        var found = ParseBool(includeDeleted, nameof(includeDeleted), false)
            ? await store.GetIncludingDeletedAsync(context.TenantId(), id, withPerson, cancellationToken)
            : await store.GetAsync(context.TenantId(), id, withPerson, cancellationToken);
        if (found is not { } user)
        {
            return ProblemException.NotFound("no such user").ToResult();
        }

        SetETag(context, user);
        return TypedResults.Ok(user);
    }

    private static async Task<Ok<UserRecord>> ReplaceAsync(string id, HttpContext context, UserStore store, CancellationToken cancellationToken)
    {
        var precondition = ParseIfMatch(context.Request);
        var user = UserData.From(await RequestJson.ReadAsync<UserWrite>(context.Request, cancellationToken));
        var replaced = await store.ReplaceAsync(context.TenantId(), id, user, precondition, cancellationToken);
        SetETag(context, replaced);
        return TypedResults.Ok(replaced);
    }

    /// <summary>
    /// <c>If-Match</c> is checked by the store under the user's row lock, not here: a check before the delete would let a
    /// write land between the two and be deleted over (a stale precondition must be 412, RFC 9110 §13.1.1).
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext context, UserStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(context.TenantId(), id, ParseIfMatch(context.Request), cancellationToken)
            ? TypedResults.NoContent()
            : ProblemException.NotFound("no such user").ToResult();

    private static async Task<Ok<UserList>> ListAsync(
        HttpContext context,
        UserListQuery query,
        [FromQuery] string? filter,
        [FromQuery] string? sortBy,
        [FromQuery] string? sortOrder,
        [FromQuery] string? startIndex,
        [FromQuery] string? count,
        [FromQuery] string? person,
        [FromQuery] string? includeDeleted,
        CancellationToken cancellationToken)
    {
        var descending = sortOrder?.Trim().ToUpperInvariant() switch
        {
            null or "" or "ASCENDING" => false,
            "DESCENDING" => true,
            _ => throw ProblemException.InvalidValue("sortOrder", "sortOrder must be ascending or descending"),
        };

        // RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0.
        var request = new ListRequest(
            filter,
            sortBy,
            descending,
            Math.Clamp(ParseInt(startIndex, "startIndex", 1), 1, int.MaxValue - UserListQuery.MaxCount),
            ParseInt(count, "count", UserListQuery.DefaultCount),
            ParseBool(person, nameof(person), true),
            ParseBool(includeDeleted, nameof(includeDeleted), false));
        var page = await query.ListAsync(context.TenantId(), request, cancellationToken);
        context.Response.Headers[PageStrategyHeader] = page.Strategy;
        return TypedResults.Ok(page.List);
    }

    private static async Task<Ok<ExistsResponse>> ExistsAsync(HttpContext context, UserStore store, CancellationToken cancellationToken)
    {
        var request = await RequestJson.ReadAsync<ExistsRequest>(context.Request, cancellationToken);
        var ids = request.Ids ?? throw ProblemException.InvalidValue("ids", "ids is required");
        if (ids.Count > UserStore.MaxExistsIds)
        {
            throw ProblemException.InvalidValue("ids", $"at most {UserStore.MaxExistsIds} ids per call, got {ids.Count}");
        }

        var checkedIds = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            checkedIds[i] = ids[i] ?? throw ProblemException.InvalidValue(string.Create(CultureInfo.InvariantCulture, $"ids[{i}]"), "an id must be a string");
        }

        return TypedResults.Ok(new ExistsResponse(await store.MissingAsync(context.TenantId(), checkedIds, cancellationToken)));
    }

    private static async Task<Ok<BatchCreated>> BatchAsync(HttpContext context, UserBatchWriter writer, CancellationToken cancellationToken)
    {
        var request = await RequestJson.ReadAsync<UsersBatch>(context.Request, cancellationToken);
        var writes = request.Users ?? throw ProblemException.InvalidValue("users", "users is required");
        if (writes.Count > UserBatchWriter.MaxUsers)
        {
            throw ProblemException.InvalidValue("users", $"at most {UserBatchWriter.MaxUsers} users per batch, got {writes.Count}: send several batches");
        }

        var users = new UserData[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            users[i] = UserData.From(writes[i], string.Create(CultureInfo.InvariantCulture, $"users[{i}]."));
        }

        return TypedResults.Ok(new BatchCreated(await writer.CreateAsync(context.TenantId(), users, cancellationToken)));
    }

    private static async Task<Ok<JobTitleList>> JobTitlesAsync(HttpContext context, UserStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JobTitleList(await store.JobTitlesAsync(context.TenantId(), cancellationToken)));

    private static void SetETag(HttpContext context, UserRecord user) =>
        context.Response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"W/\"{user.Version}\"");

    /// <summary>
    /// <c>If-Match</c> as RFC 9110 §13.1.1 writes it (<c>*</c> or a list of entity tags); the weak <c>W/"n"</c> the
    /// service sends and a bare <c>"n"</c> both name version n. A tag that names no version can never match.
    /// </summary>
    private static VersionPrecondition? ParseIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }

        var any = false;
        var versions = new List<long>();
        foreach (var value in header)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*")
                {
                    any = true;
                    continue;
                }

                var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
                if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"')
                {
                    tag = tag[1..^1];
                }

                if (long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                {
                    versions.Add(version);
                }
            }
        }

        return new VersionPrecondition(any, versions);
    }

    /// <summary><c>true</c> or <c>false</c> in any case; absent or blank means <paramref name="fallback"/>; anything else 400.</summary>
    private static bool ParseBool(string? text, string name, bool fallback) => text?.Trim().ToUpperInvariant() switch
    {
        null or "" => fallback,
        "TRUE" => true,
        "FALSE" => false,
        _ => throw ProblemException.InvalidValue(name, $"{name} must be true or false"),
    };

    private static int ParseInt(string? text, string name, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw ProblemException.InvalidValue(name, $"{name} must be an integer");
        }

        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }
}
