namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// The pub/sub names every service and the chart agree on, defined once. One topic per producing aggregate;
/// the CloudEvent <c>type</c> (<c>&lt;aggregate&gt;.&lt;event&gt;.v&lt;n&gt;</c>) says which event it is.
/// </summary>
public static class Topics
{
    /// <summary>The Dapr pub/sub component name (configurable as <c>Events:PubSubName</c>; this is the default).</summary>
    public const string DefaultPubSubName = "scim-pubsub";

    /// <summary>Produced by users: a user's lifecycle (e.g. deleted through SCIM). Consumed by roles.</summary>
    public const string Users = "users";

    /// <summary>Produced by roles: memberships added / removed, roles renamed or deleted. Consumed by users.</summary>
    public const string RoleMemberships = "role-memberships";

    /// <summary>Produced by orgunits: a unit created, renamed, moved, re-keyed, disabled or enabled. Consumed by users.</summary>
    public const string OrgUnits = "orgunits";

    /// <summary>Where a subscriber's poison messages go after bounded retries.</summary>
    public static string DeadLetterOf(string topic) => topic + "-deadletter";

    public static IReadOnlyList<string> All { get; } = [Users, RoleMemberships, OrgUnits];
}
