namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// The tenant a SCIM request acts for, decided by its API key alone, with the settings SCIM falls back to when a
/// user carries none. SCIM endpoints take it as a parameter (<c>(ScimTenant tenant, ...) =&gt; ...</c>, bound by
/// <see cref="BindAsync"/>) or read it with <see cref="ScimHttpContextExtensions.GetScimTenant"/>, and pass
/// <see cref="Id"/> to every domain call. Nothing in the URL, query or body can choose it.
/// </summary>
public sealed record ScimTenant(string Id, string DefaultLanguage, string TimeZone, string DateFormat)
{
    public static ValueTask<ScimTenant?> BindAsync(HttpContext context) => ValueTask.FromResult<ScimTenant?>(context.GetScimTenant());
}

/// <summary>What the SCIM authentication middleware stores for the request: the tenant and the key that was used.</summary>
public sealed record ScimCaller(ScimTenant Tenant, string ApiKeyId);

public static class ScimHttpContextExtensions
{
    /// <summary>The authenticated tenant of a request under <c>/v1/scim</c>.</summary>
    public static ScimTenant GetScimTenant(this HttpContext context) => context.GetScimCaller().Tenant;

    /// <summary>The id of the API key that authenticated the request (for audit records; never the secret).</summary>
    public static string GetScimApiKeyId(this HttpContext context) => context.GetScimCaller().ApiKeyId;

    public static ScimCaller GetScimCaller(this HttpContext context) =>
        context.Features.Get<ScimCaller>()
        ?? throw new InvalidOperationException("no SCIM caller: the endpoint is not under the SCIM pipeline (/v1/scim)");

    internal static void SetScimCaller(this HttpContext context, ScimCaller caller) => context.Features.Set(caller);
}
