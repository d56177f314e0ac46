using System.Diagnostics;

namespace Microservices.ScimEdge.Api.Observability;

/// <summary>
/// The correlation id of a request is its W3C trace id: the edge echoes it on every response as
/// <see cref="HeaderName"/>, so the id an IdP admin copies from Okta's or Entra's log finds the trace and every log
/// line (each carries TraceId as a scope) across the edge and the domain services.
/// </summary>
public static class CorrelationId
{
    public const string HeaderName = "X-Correlation-Id";

    /// <summary>The current request's correlation id; the connection-level identifier when no trace is running.</summary>
    public static string Of(HttpContext context) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : context.TraceIdentifier;

    /// <summary>Put first in the pipeline. Set when the response starts, so bodies written after a <c>Response.Clear()</c>
    /// (the SCIM error shaping, the exception handler) carry it too.</summary>
    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var id = Of(context);
            context.Response.OnStarting(
                state =>
                {
                    var (response, value) = ((HttpResponse, string))state;
                    response.Headers[HeaderName] = value;
                    return Task.CompletedTask;
                },
                (context.Response, id));
            await next(context);
        });
}
