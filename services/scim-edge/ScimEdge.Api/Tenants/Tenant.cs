namespace Microservices.ScimEdge.Api.Tenants;

/// <summary>A customer of the platform as the edge knows it: the settings SCIM falls back to when a user has none.</summary>
public sealed record Tenant(
    string Id,
    string DisplayName,
    string DefaultLanguage,
    string TimeZone,
    string DateFormat,
    DateTimeOffset Created);
