using System.Text.Json.Serialization;
using Microservices.Roles.Api.Domain;

namespace Microservices.Roles.Api.Endpoints;

// Admin routes (the edge proxies /admin/v1/tenants/{tenant}/roles… here).

public sealed record CreateRoleRequest(string? Name, string? ExternalId, Dictionary<string, string?>? Permissions);

public sealed record PatchRoleRequest(Optional<string?> Name, Optional<string?> ExternalId, Dictionary<string, string?>? Permissions);

public sealed record AddRoleMembersRequest(List<string?>? UserIds);

public sealed record RoleResponse(
    string Id,
    string Name,
    string? ExternalId,
    string? GroupExternalId,
    IReadOnlyDictionary<string, string> Permissions,
    string Origin,
    bool ScimLinked,
    bool ScimDetached,
    long Version,
    DateTimeOffset Created,
    DateTimeOffset LastModified);

public sealed record RoleListResponse(int TotalResults, IReadOnlyList<RoleResponse> Items);

public sealed record RoleMemberResponse(string UserId, string Source, DateTimeOffset Created);

public sealed record RoleMembersResponse(IReadOnlyList<RoleMemberResponse> Items);

// SCIM-facing routes: a Group's displayName is the role's externalId, its externalId the role's groupExternalId.

public sealed record CreateGroupRequest(string? DisplayName, string? ExternalId, List<string?>? Members);

public sealed record PutGroupRequest(string? DisplayName, string? ExternalId, List<string?>? Members);

public sealed record PatchGroupRequest(
    Optional<string?> DisplayName,
    Optional<string?> ExternalId,
    List<string?>? AddMembers,
    List<string?>? RemoveMembers,
    List<string?>? ReplaceMembers);

public sealed record BatchGroupsRequest(List<CreateGroupRequest?>? Groups);

public sealed record GroupResponse(
    string Id,
    string DisplayName,
    string? ExternalId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Members,
    long Version,
    DateTimeOffset Created,
    DateTimeOffset LastModified,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Adopted = null);

public sealed record GroupListResponse(int TotalResults, int StartIndex, IReadOnlyList<GroupResponse> Items);

public sealed record MembershipChangeResponse(string Id, long Version, int MembersAdded, int MembersRemoved);

public sealed record BatchGroupsResponse(int Created);

public sealed record UserRole(string Id, string Display);

public sealed record UserRolesResponse(IReadOnlyList<UserRole> Items);

public sealed record UserMembershipsRemovedResponse(int MembershipsRemoved);
