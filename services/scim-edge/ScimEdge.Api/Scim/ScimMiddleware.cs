using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.ScimEdge.Api.ApiKeys;
using Microservices.ScimEdge.Api.Clients;
using Microsoft.AspNetCore.WebUtilities;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// Runs for every request under <c>/v1/scim</c>, matched route or not: authenticates the API key before anything
/// else, then guarantees that whatever happens the answer is a SCIM response: errors become SCIM error bodies, JSON
/// bodies carry <c>application/scim+json</c>.
/// </summary>
internal sealed class ScimMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, ILogger<ScimMiddleware> logger)
{
    private const string Challenge = "Bearer realm=\"scim\"";

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(UseScimMediaType, context);
        try
        {
            var (caller, failure, revoked) = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization, context.RequestAborted);
            if (caller is null)
            {
                if (revoked is not null)
                {
                    // Read by the audit record: a revoked key's 401 belongs to its tenant.
                    context.Features.Set(revoked);
                }

                context.Response.Headers.WWWAuthenticate = Challenge;
                await ScimResults.WriteErrorAsync(context, new ScimError(StatusCodes.Status401Unauthorized, null, Describe(failure)));
                return;
            }

            context.SetScimCaller(caller);
            using (logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = caller.Tenant.Id, ["ApiKeyId"] = caller.ApiKeyId }))
            {
                await next(context);
            }

            // Errors the framework answers without a body (405, 415 from routing or binding) still get a SCIM body.
            if (!context.Response.HasStarted && context.Response.StatusCode >= 400 && context.Response.ContentLength is null or 0 && string.IsNullOrEmpty(context.Response.ContentType))
            {
                var status = context.Response.StatusCode;
                await ScimResults.WriteErrorAsync(context, new ScimError(status, null, ReasonPhrases.GetReasonPhrase(status)));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception exception)
        {
            await WriteFailureAsync(context, exception);
        }
    }

    private async Task WriteFailureAsync(HttpContext context, Exception exception)
    {
        var error = exception switch
        {
            ScimException scim => scim.ToError(),
            JsonException => new ScimError(400, ScimErrorType.InvalidSyntax, "The request body is not valid JSON."),
            BadHttpRequestException { InnerException: JsonException } => new ScimError(400, ScimErrorType.InvalidSyntax, "The request body is not valid JSON."),
            BadHttpRequestException { StatusCode: 413 } => new ScimError(413, null, "The request body is too large."),
            BadHttpRequestException { StatusCode: 415 } => new ScimError(415, null, $"The request body must be {ScimConstants.MediaType}."),
            BadHttpRequestException bad => new ScimError(bad.StatusCode, bad.StatusCode == 400 ? ScimErrorType.InvalidSyntax : null, "The request could not be read."),
            ServiceUnavailableException => new ScimError(503, null, "The service is temporarily unavailable; try again shortly."),
            _ => null,
        };

        if (error is null)
        {
            logger.LogError(exception, "Unhandled exception in SCIM request {Method} {Path}", context.Request.Method, context.Request.Path);
            error = new ScimError(500, null, $"An internal error occurred (trace {Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier}).");
        }
        else if (exception is ServiceUnavailableException unavailable)
        {
            logger.LogWarning("SCIM request {Method} {Path} failed: {Reason}", context.Request.Method, context.Request.Path, unavailable.Message);
        }

        if (context.Response.HasStarted)
        {
            // Part of a response is on the wire; the only honest signal left is to cut the connection.
            logger.LogWarning("SCIM response to {Method} {Path} was cut after it had started", context.Request.Method, context.Request.Path);
            context.Abort();
            return;
        }

        context.Response.Clear();
        if (error.StatusCode == 503)
        {
            context.Response.Headers.RetryAfter = ServiceUnavailableException.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await ScimResults.WriteErrorAsync(context, error);
    }

    private static Task UseScimMediaType(object state)
    {
        var response = ((HttpContext)state).Response;
        if (response.ContentType is { } type && type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            response.ContentType = ScimConstants.MediaType;
        }

        return Task.CompletedTask;
    }

    private static string Describe(ApiKeyFailure failure) => failure switch
    {
        ApiKeyFailure.Missing => "Authentication required: send the API key as 'Authorization: Bearer <key>'.",
        ApiKeyFailure.Malformed => "The Authorization header does not carry an API key.",
        _ => "The API key is not valid.",
    };
}
