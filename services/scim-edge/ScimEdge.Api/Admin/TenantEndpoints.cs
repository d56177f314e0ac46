using Microservices.ScimEdge.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microservices.ScimEdge.Api.Admin;

public static class TenantEndpoints
{
    public sealed record CreateTenantRequest(string? Id, string? DisplayName, string? DefaultLanguage, string? TimeZone, string? DateFormat);

    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/tenants", CreateAsync);
        admin.MapGet("/tenants", ListAsync);
        admin.MapGet("/tenants/{tenant}", GetAsync);
        return admin;
    }

    private static async Task<Results<Created<Tenant>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, TenantStore tenants, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TenantRules.IsValidId(request.Id))
        {
            errors["id"] = ["must be 2 to 64 characters of lowercase letters, digits and '-', starting with a letter"];
        }

        if (!TenantRules.IsValidDisplayName(request.DisplayName))
        {
            errors["displayName"] = [$"is required: 1 to {TenantRules.MaxDisplayNameLength} characters, no control characters"];
        }

        if (!TenantRules.TryNormaliseLanguageTag(request.DefaultLanguage, out var language))
        {
            errors["defaultLanguage"] = ["must be a language tag as Accept-Language carries it (BCP 47), e.g. 'en' or 'en-GB'"];
        }

        if (!TenantRules.IsIanaTimeZone(request.TimeZone))
        {
            errors["timeZone"] = ["must be an IANA time zone name, e.g. 'Europe/London'"];
        }

        var dateFormat = request.DateFormat ?? TenantRules.DefaultDateFormat;
        if (!TenantRules.IsValidDateFormat(dateFormat))
        {
            errors["dateFormat"] = [$"must be one of {string.Join(", ", TenantRules.DateFormats)}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = await tenants.CreateAsync(request.Id!, request.DisplayName!.Trim(), language, request.TimeZone!, dateFormat, cancellationToken);
        if (tenant is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "tenant exists", detail: $"A tenant '{request.Id}' already exists.");
        }

        loggers.CreateLogger(typeof(TenantEndpoints)).LogInformation("Created tenant {TenantId}", tenant.Id);
        return TypedResults.Created($"{AdminApi.BasePath}/tenants/{tenant.Id}", tenant);
    }

    private static async Task<Ok<IReadOnlyList<Tenant>>> ListAsync(TenantStore tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tenants.ListAsync(cancellationToken));

    private static async Task<Results<Ok<Tenant>, ProblemHttpResult>> GetAsync(string tenant, TenantStore tenants, CancellationToken cancellationToken) =>
        await tenants.GetAsync(tenant, cancellationToken) is { } found ? TypedResults.Ok(found) : AdminApi.TenantNotFound(tenant);
}
