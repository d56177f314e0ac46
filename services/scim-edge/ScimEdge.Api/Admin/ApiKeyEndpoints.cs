using System.Text.RegularExpressions;
using Microservices.ScimEdge.Api.ApiKeys;
using Microservices.ScimEdge.Api.Audit;
using Microservices.ScimEdge.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microservices.ScimEdge.Api.Admin;

public static partial class ApiKeyEndpoints
{
    public const int MaxDescriptionLength = 500;

    public sealed record CreateApiKeyRequest(string? Title, string? Description);

    /// <summary>The create response: the only place the key itself ever appears.</summary>
    public sealed record CreatedApiKey(string Id, string Title, string? Description, DateTimeOffset Created, string Key);

    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/tenants/{tenant}/api-keys", CreateAsync);
        admin.MapGet("/tenants/{tenant}/api-keys", ListAsync);
        admin.MapDelete("/tenants/{tenant}/api-keys/{keyId}", RevokeAsync);
        return admin;
    }

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenant, CreateApiKeyRequest request, ApiKeyStore keys, HttpContext context, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Title is null || !TitlePattern().IsMatch(request.Title))
        {
            errors["title"] = ["is required: at most 32 characters of letters, digits, '_' and '-'"];
        }

        if (request.Description is { Length: > MaxDescriptionLength } || (request.Description?.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) ?? false))
        {
            errors["description"] = [$"must be at most {MaxDescriptionLength} characters without control characters"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await keys.CreateAsync(tenant, request.Title!, request.Description, cancellationToken);
        switch (result.Outcome)
        {
            case CreateApiKeyOutcome.TenantNotFound:
                return AdminApi.TenantNotFound(tenant);
            case CreateApiKeyOutcome.DuplicateTitle:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "duplicate title", detail: $"The tenant already has an active API key titled '{request.Title}' (titles ignore case).");
            case CreateApiKeyOutcome.LimitReached:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "too many API keys", detail: $"A tenant has at most {ApiKeyStore.MaxActiveKeysPerTenant} active API keys; revoke one first.");
        }

        var key = result.Key!;
        loggers.CreateLogger(typeof(ApiKeyEndpoints)).LogInformation("Created API key {ApiKeyId} for tenant {TenantId}", key.Id, tenant);
        // The secret is in this body only; nothing between here and the operator may keep a copy.
        context.Response.Headers.CacheControl = "no-store";
        context.Features.Set(new AuditResourceFeature(key.Id));
        return TypedResults.Created((string?)null, new CreatedApiKey(key.Id, key.Title, key.Description, key.Created, result.Secret!));
    }

    private static async Task<Results<Ok<IReadOnlyList<ApiKeyInfo>>, ProblemHttpResult>> ListAsync(
        string tenant, TenantStore tenants, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (!await tenants.ExistsAsync(tenant, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        return TypedResults.Ok(await keys.ListAsync(tenant, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string tenant, string keyId, ApiKeyStore keys, ApiKeyAuthenticator authenticator, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var result = Guid.TryParse(keyId, out _)
            ? await keys.RevokeAsync(tenant, keyId, cancellationToken)
            : new RevokeApiKeyResult(RevokeApiKeyOutcome.NotFound);
        if (result.Outcome == RevokeApiKeyOutcome.NotFound)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found", detail: $"Tenant '{tenant}' has no API key '{keyId}'.");
        }

        // Evicting on every DELETE (also a repeated one) makes the key stop working on this replica at once.
        authenticator.Evict(result.Digest!);
        if (result.Outcome == RevokeApiKeyOutcome.Revoked)
        {
            loggers.CreateLogger(typeof(ApiKeyEndpoints)).LogInformation("Revoked API key {ApiKeyId} of tenant {TenantId}", keyId, tenant);
        }

        return TypedResults.NoContent();
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,32}\z")]
    private static partial Regex TitlePattern();
}
