namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// A domain service the edge calls: its Dapr app id (the host name of every request in dapr mode) and the name of
/// its configuration section (<c>Services:&lt;ConfigName&gt;:BaseUrl</c> in direct mode).
/// </summary>
public sealed record ServiceApp(string AppId, string ConfigName)
{
    public static readonly ServiceApp Users = new("users", "Users");

    public static readonly ServiceApp Roles = new("roles", "Roles");

    public static readonly ServiceApp OrgUnits = new("orgunits", "OrgUnits");
}
