using System.Globalization;
using Microservices.ScimEdge.Api.Admin;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ScimEdge.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microservices.ScimEdge.Api.Audit;

/// <summary><c>GET /admin/v1/tenants/{tenant}/audit</c>: one tenant's records, newest first, keyset-paged (docs/admin-api.md).</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/tenants/{tenant}/audit", ListAsync);
        return admin;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string tenant, HttpRequest request, TenantStore tenants, AuditStore audit, CancellationToken cancellationToken)
    {
        if (!TryParse(request.Query, out var query, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await tenants.ExistsAsync(tenant, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        return TypedResults.Ok(await audit.QueryAsync(tenant, query, cancellationToken));
    }

    internal static bool TryParse(IQueryCollection q, out AuditQuery query, out Dictionary<string, string[]> errors)
    {
        errors = [];
        string? Single(string name, Dictionary<string, string[]> errs)
        {
            var values = q[name];
            if (values.Count > 1)
            {
                errs[name] = ["may be given once"];
                return null;
            }

            return values.Count == 1 ? values[0] : null;
        }

        DateTimeOffset? Time(string name, Dictionary<string, string[]> errs)
        {
            var text = Single(name, errs);
            if (text is null)
            {
                return null;
            }

            // RFC 3339 needs an offset: a time without one would mean different instants on different servers.
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
                && (text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.OrdinalIgnoreCase)))
            {
                return value;
            }

            errs[name] = ["must be an RFC 3339 time with an offset, e.g. 2026-12-04T09:00:00Z"];
            return null;
        }

        var from = Time("from", errors);
        var to = Time("to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors["to"] = ["must be later than 'from'"];
        }

        int? statusMin = null, statusMax = null;
        if (Single("status", errors) is { } status)
        {
            if (status.Length == 3 && status[0] is >= '1' and <= '5' && status[1..].Equals("xx", StringComparison.OrdinalIgnoreCase))
            {
                statusMin = (status[0] - '0') * 100;
                statusMax = statusMin + 99;
            }
            else if (status.Length == 3 && int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var exact) && exact is >= 100 and <= 599)
            {
                statusMin = statusMax = exact;
            }
            else
            {
                errors["status"] = ["must be a status class such as 4xx or an exact status such as 429"];
            }
        }

        var resourceId = Single("resourceId", errors);
        if (resourceId is { Length: 0 or > 200 })
        {
            errors["resourceId"] = ["must be 1 to 200 characters"];
        }

        var keyId = Single("keyId", errors);
        if (keyId is not null && !Guid.TryParse(keyId, out _))
        {
            errors["keyId"] = ["must be an API key id (a UUID)"];
        }

        var client = Single("client", errors);
        if (client is not null && !ScimClients.All.Contains(client))
        {
            errors["client"] = [$"must be one of {string.Join(", ", ScimClients.All)}"];
        }

        var limit = DefaultLimit;
        if (Single("limit", errors) is { } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"must be an integer from 1 to {MaxLimit}"];
        }

        AuditCursor? after = null;
        if (Single("cursor", errors) is { } cursorText && !AuditCursor.TryDecode(cursorText, out after))
        {
            errors["cursor"] = ["is not a cursor this API returned as 'next'"];
        }

        query = new AuditQuery(from, to, statusMin, statusMax, resourceId, keyId, client, after, limit);
        return errors.Count == 0;
    }
}
