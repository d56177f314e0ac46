using System.Diagnostics;
using Microservices.ScimEdge.Api.Admin;
using Microservices.ScimEdge.Api.ApiKeys;
using Microservices.ScimEdge.Api.Scim;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Microservices.ScimEdge.Api.Audit;

/// <summary>
/// Records one <see cref="AuditRecord"/> per request of its branch. What the endpoint matched (route template, route
/// values) is read when the request leaves this middleware, before the exception handler clears it; status and
/// duration are read when the response has completed, so they are what the client got. The record then goes to the
/// in-memory queue: nothing here waits for the store.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, AuditLog log, TimeProvider clock, string kind)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var state = new RequestState(kind, clock.GetUtcNow(), clock.GetTimestamp(), Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
        context.Response.OnCompleted(Complete, (context, state));
        try
        {
            await next(context);
        }
        finally
        {
            state.Endpoint = context.GetEndpoint() as RouteEndpoint;
            state.RouteValues = new RouteValueDictionary(context.Request.RouteValues);
        }
    }

    private Task Complete(object boxed)
    {
        var (context, state) = ((HttpContext, RequestState))boxed;
        log.Record(Build(context, state));
        return Task.CompletedTask;
    }

    private AuditRecord Build(HttpContext context, RequestState state)
    {
        var basePath = state.Kind == AuditKinds.Scim ? ScimPipeline.BasePath : AdminApi.BasePath;
        var route = RouteTemplate(state.Endpoint?.RoutePattern, basePath);
        var location = CreatedLocation(context.Response);
        var caller = context.Features.Get<ScimCaller>();
        // A 401 for a revoked key names the key's tenant and id (so it shows in the tenant's audit query); an unknown
        // key names neither.
        var revoked = caller is null ? context.Features.Get<RevokedApiKey>() : null;
        string? tenant;
        string? resourceId;
        string? resourceType;
        if (state.Kind == AuditKinds.Scim)
        {
            tenant = caller?.Tenant.Id ?? revoked?.TenantId;
            resourceType = FirstLiteral(state.Endpoint?.RoutePattern, basePath);
            resourceId = Value(state, "id") ?? Value(state, "urn") ?? location;
        }
        else
        {
            // POST /tenants names the new tenant only in its Location.
            tenant = Value(state, "tenant") ?? (route == "/tenants" ? location : null);
            resourceType = AdminResource(state.Endpoint?.RoutePattern, basePath);
            resourceId = context.Features.Get<AuditResourceFeature>()?.ResourceId ?? Value(state, "keyId") ?? Value(state, "id") ?? location;
        }

        var status = context.Response.StatusCode;
        var error = context.Features.Get<ScimErrorFeature>();
        return new AuditRecord(
            Guid.CreateVersion7(state.Started).ToString(),
            state.Started,
            state.Kind,
            tenant,
            caller?.ApiKeyId ?? revoked?.ApiKeyId,
            state.Kind == AuditKinds.Scim ? ScimClients.FromUserAgent(context.Request.Headers.UserAgent) : null,
            context.Request.Method,
            route,
            resourceType,
            resourceId,
            status,
            error is not null && error.Status == status ? error.ScimType : null,
            clock.GetElapsedTime(state.StartTimestamp).TotalMilliseconds,
            state.CorrelationId);
    }

    private static string? Value(RequestState state, string name) =>
        state.RouteValues?.TryGetValue(name, out var value) == true && value is string text && text.Length > 0 ? Truncate(text) : null;

    private static string? CreatedLocation(HttpResponse response)
    {
        if (response.StatusCode != StatusCodes.Status201Created || response.Headers.Location.ToString() is not { Length: > 0 } location)
        {
            return null;
        }

        var path = Uri.TryCreate(location, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : location;
        var last = path.TrimEnd('/').Split('/')[^1];
        return last.Length > 0 ? Truncate(Uri.UnescapeDataString(last)) : null;
    }

    // Ids come from the URL, which the caller controls; a bound keeps a hostile URL from bloating the table.
    private static string Truncate(string value) => value.Length <= 200 ? value : value[..200];

    private static string? RouteTemplate(RoutePattern? pattern, string basePath)
    {
        if (pattern?.RawText is not { } raw)
        {
            return null;
        }

        // Group prefixes combine into "/v1/scim/Users/" for an endpoint mapped at ""; the template is "/Users".
        var text = "/" + raw.Trim('/');
        var route = text.StartsWith(basePath, StringComparison.OrdinalIgnoreCase) ? text[basePath.Length..] : text;
        return route.Length > 0 ? route : "/";
    }

    private static string? FirstLiteral(RoutePattern? pattern, string basePath) => Literals(pattern, basePath).FirstOrDefault();

    /// <summary>
    /// The resource an admin route acts on: its last literal that starts the route or follows a parameter
    /// (<c>/tenants</c>, <c>/tenants/{tenant}/api-keys/{keyId}</c>, <c>/tenants/{tenant}/rate-limit</c>). A literal that
    /// follows another literal is an action on that one: <c>/tenants/{tenant}/orgunits/import</c> and <c>…/batch</c>
    /// act on <c>orgunits</c>.
    /// </summary>
    private static string? AdminResource(RoutePattern? pattern, string basePath)
    {
        if (pattern is null)
        {
            return null;
        }

        string? resource = null;
        var afterLiteral = false;
        foreach (var segment in pattern.PathSegments.Skip(basePath.Trim('/').Split('/').Length))
        {
            var literal = segment.IsSimple && segment.Parts[0] is RoutePatternLiteralPart part ? part.Content : null;
            if (literal is not null && !afterLiteral)
            {
                resource = literal;
            }

            afterLiteral = literal is not null;
        }

        return resource;
    }

    private static IEnumerable<string> Literals(RoutePattern? pattern, string basePath)
    {
        var prefix = basePath.Trim('/').Split('/').Length;
        return pattern is null
            ? []
            : pattern.PathSegments
                .Skip(prefix)
                .Where(s => s.IsSimple && s.Parts[0] is RoutePatternLiteralPart)
                .Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content);
    }

    private sealed class RequestState(string kind, DateTimeOffset started, long startTimestamp, string correlationId)
    {
        public string Kind { get; } = kind;

        public DateTimeOffset Started { get; } = started;

        public long StartTimestamp { get; } = startTimestamp;

        public string CorrelationId { get; } = correlationId;

        public RouteEndpoint? Endpoint { get; set; }

        public RouteValueDictionary? RouteValues { get; set; }
    }
}
