using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microservices.OrgUnits.Api.Domain;
using Microservices.OrgUnits.Api.Features.Batch;
using Microservices.OrgUnits.Api.Features.Import;
using Microservices.OrgUnits.Api.Persistence;
using Microservices.ServiceDefaults.Internal;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microservices.OrgUnits.Api.Endpoints;

/// <summary>The internal API of the org unit tree, <c>/internal/orgunits</c>; the contract is docs/orgunits.md.</summary>
public static class OrgUnitEndpoints
{
    public const string BasePath = "/internal/orgunits";

    // Unknown members are refused so a misspelt field ("externalID" is fine, "extId" is not) never passes silently.
    private static readonly JsonSerializerOptions _requestJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static IEndpointRouteBuilder MapOrgUnitEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath).RequireTenant();
        group.AddEndpointFilter(async (invocation, next) =>
        {
            try
            {
                return await next(invocation);
            }
            catch (OrgUnitException refused)
            {
                return ToProblem(refused);
            }
            catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "request body too large", detail: tooLarge.Message);
            }
        });

        group.MapPost("/", CreateAsync);
        group.MapPost("/batch", BatchAsync);
        group.MapPost("/import", ImportAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/resolve", ResolveAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPatch("/{id}", PatchAsync);
        return app;
    }

    private static async Task<Created<OrgUnitView>> CreateAsync(HttpContext context, OrgUnitStore store, CancellationToken cancellationToken)
    {
        var request = await ReadJsonAsync<CreateOrgUnitRequest>(context, cancellationToken);
        var unit = await store.CreateAsync(context.TenantId(), request, cancellationToken);
        SetETag(context, unit);
        return TypedResults.Created($"{BasePath}/{unit.Id}", unit);
    }

    private static async Task<Ok<BatchCreated>> BatchAsync(HttpContext context, BatchCreate batch, IOptions<OrgUnitsOptions> options, CancellationToken cancellationToken)
    {
        LimitBody(context, options.Value.BatchMaxBodyBytes);
        var request = await ReadJsonAsync<BatchCreateRequest>(context, cancellationToken);
        return TypedResults.Ok(new BatchCreated(await batch.CreateAsync(context.TenantId(), request, cancellationToken)));
    }

    private static async Task<Results<Ok<ImportApplied>, ProblemHttpResult>> ImportAsync(HttpContext context, OrgUnitImport import, IOptions<OrgUnitsOptions> options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "the import takes text/csv in UTF-8",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
        }

        LimitBody(context, options.Value.ImportMaxBodyBytes);
        var outcome = await import.ImportAsync(context.TenantId(), context.Request.Body, cancellationToken);
        if (outcome.Succeeded)
        {
            return TypedResults.Ok(new ImportApplied(outcome.Updated));
        }

        var more = outcome.ErrorCount - outcome.Errors.Count;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "the file was not imported",
            detail: more > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{outcome.ErrorCount} errors; the first {outcome.Errors.Count} are listed, {more} more are not. Nothing was changed.")
                : string.Create(CultureInfo.InvariantCulture, $"{outcome.ErrorCount} errors. Nothing was changed."),
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = outcome.Errors,
                ["errorCount"] = outcome.ErrorCount,
                ["moreErrors"] = more,
            });
    }

    private static async Task<Results<Ok<OrgUnitList>, ValidationProblem>> ListAsync(HttpContext context, OrgUnitStore store, CancellationToken cancellationToken)
    {
        var includeDisabled = true;
        var raw = context.Request.Query["includeDisabled"];
        if (raw.Count > 0 && !bool.TryParse(raw.ToString(), out includeDisabled))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["includeDisabled"] = ["must be true or false"] });
        }

        return TypedResults.Ok(new OrgUnitList(await store.ListAsync(context.TenantId(), includeDisabled, cancellationToken)));
    }

    private static async Task<Results<Ok<OrgUnitView>, ValidationProblem>> ResolveAsync(HttpContext context, OrgUnitStore store, string? externalId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(externalId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["externalId"] = ["the externalId query parameter is required"] });
        }

        // A value no unit could hold (too long, control characters, broken UTF-16) names no unit: 404, not a query.
        var unit = (OrgUnitRules.CheckExternalId(externalId, out _) is null ? await store.ResolveAsync(context.TenantId(), externalId, cancellationToken) : null)
            ?? throw new OrgUnitException(StatusCodes.Status404NotFound, "externalId", "org unit not found", "no org unit with this external id in the tenant");
        SetETag(context, unit);
        return TypedResults.Ok(unit);
    }

    private static async Task<Ok<OrgUnitView>> GetAsync(HttpContext context, OrgUnitStore store, string id, CancellationToken cancellationToken)
    {
        var unit = await store.GetAsync(context.TenantId(), id, cancellationToken) ?? throw OrgUnitException.NotFound();
        SetETag(context, unit);
        return TypedResults.Ok(unit);
    }

    private static async Task<Ok<OrgUnitView>> PatchAsync(HttpContext context, OrgUnitStore store, string id, CancellationToken cancellationToken)
    {
        var precondition = ParseIfMatch(context.Request.Headers.IfMatch.ToString());
        var body = await ReadJsonAsync<PatchOrgUnitRequest>(context, cancellationToken);
        var patch = new OrgUnitPatch(
            body.Name.ValueKind == JsonValueKind.Undefined ? default : Optional.Of(RequireString(body.Name, "name")),
            body.ParentId.ValueKind switch
            {
                JsonValueKind.Undefined => default,
                JsonValueKind.Null => Optional.Of<string?>(null),
                _ => Optional.Of<string?>(RequireString(body.ParentId, "parentId")),
            },
            body.ExternalId.ValueKind switch
            {
                JsonValueKind.Undefined => default,
                JsonValueKind.Null => Optional.Of<string?>(null),
                _ => Optional.Of<string?>(RequireString(body.ExternalId, "externalId")),
            },
            body.Enabled.ValueKind switch
            {
                JsonValueKind.Undefined => default,
                JsonValueKind.True => Optional.Of(true),
                JsonValueKind.False => Optional.Of(false),
                _ => throw OrgUnitException.Invalid("enabled", "enabled must be true or false"),
            });
        if (patch.IsEmpty)
        {
            throw OrgUnitException.Invalid("body", "give at least one of name, parentId, externalId, enabled");
        }

        var unit = await store.PatchAsync(context.TenantId(), id, patch, precondition, cancellationToken);
        SetETag(context, unit);
        return TypedResults.Ok(unit);
    }

    private static string RequireString(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw OrgUnitException.Invalid(field, $"{field} must be a string");

    /// <summary><c>If-Match: "3"</c> (or <c>W/"3"</c>, a list, or <c>*</c>); the entity tag is the unit's version.</summary>
    private static VersionPrecondition? ParseIfMatch(string header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var versions = new List<int>();
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "*")
            {
                return new VersionPrecondition(true, []);
            }

            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            if (tag.Length < 2 || tag[0] != '"' || tag[^1] != '"')
            {
                throw OrgUnitException.Invalid("If-Match", "If-Match must be an entity tag such as \"3\" (the unit's version)");
            }

            // A well-formed tag that is not one of ours can never match: RFC 7232 §3.1 makes that a 412, not a 400.
            versions.Add(int.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1);
        }

        return new VersionPrecondition(false, versions);
    }

    private static void SetETag(HttpContext context, OrgUnitView unit) =>
        context.Response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"\"{unit.Version}\"");

    private static void LimitBody(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            throw new OrgUnitException(StatusCodes.Status413PayloadTooLarge, null, "request body too large", $"the body may be at most {maxBytes} bytes");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpContext context, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, _requestJson, cancellationToken)
                ?? throw OrgUnitException.Invalid("body", "the body must be a JSON object");
        }
        catch (JsonException invalid)
        {
            var field = invalid.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            throw OrgUnitException.Invalid(field, "the body is not valid JSON for this request: " + invalid.Message);
        }
    }

    private static ProblemHttpResult ToProblem(OrgUnitException refused)
    {
        var extensions = new Dictionary<string, object?>();
        if (refused.Field is not null)
        {
            extensions["field"] = refused.Field;
        }

        if (refused.ScimType is not null)
        {
            extensions["scimType"] = refused.ScimType;
        }

        if (refused.Errors is not null)
        {
            extensions["errors"] = refused.Errors;
        }
        else if (refused.Status == StatusCodes.Status400BadRequest && refused.Field is not null)
        {
            // The shape of a validation problem (RFC 7807 + ASP.NET's "errors"): field name → messages.
            extensions["errors"] = new Dictionary<string, string[]> { [refused.Field] = [refused.Detail ?? refused.Title] };
        }

        return TypedResults.Problem(statusCode: refused.Status, title: refused.Title, detail: refused.Detail, extensions: extensions);
    }

    /// <summary>PATCH body. <see cref="JsonElement"/> keeps "absent" (Undefined) apart from an explicit null.</summary>
    private sealed record PatchOrgUnitRequest(JsonElement Name, JsonElement ParentId, JsonElement ExternalId, JsonElement Enabled);

    public sealed record OrgUnitList(IReadOnlyList<OrgUnitView> Items);

    public sealed record BatchCreated(int Created);

    public sealed record ImportApplied(int Updated);
}
