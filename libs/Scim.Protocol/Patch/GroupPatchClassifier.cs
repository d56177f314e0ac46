using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.Scim.Patch;

/// <summary>
/// The net effect of a Group PATCH on <c>members</c>, as sets of member ids, so a store can apply it set-wise
/// without loading the group's members; plus the operations on every other attribute.
/// </summary>
/// <param name="ReplaceMembers">When not null, the members become exactly these ids (a <c>replace</c> of
/// <c>members</c>, or a <c>remove</c> of all, then any later adds and removes folded in); <see cref="AddMembers"/> and
/// <see cref="RemoveMembers"/> are then empty.</param>
/// <param name="AddMembers">Ids to add (adding an existing member is a no-op); disjoint from <see cref="RemoveMembers"/>.</param>
/// <param name="RemoveMembers">Ids to remove (removing a non-member is a no-op).</param>
/// <param name="OtherOperations">Operations on other attributes (<c>displayName</c>, <c>externalId</c>, ...), in order;
/// apply them with <see cref="PatchApplier"/> to the group without its members.</param>
public sealed record GroupPatchPlan(
    IReadOnlyList<string>? ReplaceMembers,
    IReadOnlyList<string> AddMembers,
    IReadOnlyList<string> RemoveMembers,
    IReadOnlyList<PatchOperation> OtherOperations)
{
    public bool ChangesMembers => ReplaceMembers is not null || AddMembers.Count > 0 || RemoveMembers.Count > 0;
}

/// <summary>
/// Splits a Group PATCH into member set changes and other operations. Understood on <c>members</c>: add / replace with
/// a value (array or single object of <c>{"value": id, ...}</c>), remove without a value (all members), remove with
/// a value list (Entra), remove with <c>members[value eq "id"]</c> or <c>or</c>-ed equalities (Okta, Entra with
/// aadOptscim062020), and a path-less value carrying <c>members</c>. Any other members path is <c>invalidPath</c>.
/// </summary>
public static class GroupPatchClassifier
{
    private const string MembersName = "members";

    public static GroupPatchPlan Classify(PatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = new MemberState();
        var others = new List<PatchOperation>();
        for (var i = 0; i < request.Operations.Count; i++)
        {
            try
            {
                Classify(request.Operations[i], state, others);
            }
            catch (ScimException e)
            {
                throw new ScimException(e.Status, e.ScimType, $"Operations[{i}]: {e.Detail}");
            }
        }

        return new GroupPatchPlan(state.Replace?.ToList(), state.Adds.ToList(), state.Removes.ToList(), others);
    }

    private static void Classify(PatchOperation operation, MemberState state, List<PatchOperation> others)
    {
        if (operation.Path is null)
        {
            if (operation.Value is not JsonObject value)
            {
                throw ScimException.InvalidValue("add and replace without a 'path' need an object of attributes as 'value'");
            }

            JsonObject? rest = null;
            foreach (var (key, item) in value)
            {
                if (IsMembersKey(key))
                {
                    Members(operation.Type, item, state);
                }
                else
                {
                    rest ??= [];
                    rest[key] = item?.DeepClone();
                }
            }

            if (rest is not null)
            {
                others.Add(operation with { Value = rest });
            }

            return;
        }

        var attribute = operation.Path.Attribute;
        if (!IsMembersPath(attribute))
        {
            others.Add(operation);
            return;
        }

        if (attribute.SubAttribute is not null)
        {
            throw ScimException.InvalidPath($"'{PatchApplier.Shorten(operation.Path.ToString())}' is not supported; change members as a whole, e.g. add members [{{\"value\": \"<id>\"}}]");
        }

        if (operation.Path.ValueFilter is { } filter)
        {
            if (operation.Type != PatchOperationType.Remove)
            {
                throw ScimException.InvalidPath("a members value filter is supported on remove only; add members by value list");
            }

            var ids = new List<string>();
            if (!CollectIds(filter, ids))
            {
                throw ScimException.InvalidPath(
                    $"the members filter '{PatchApplier.Shorten(filter.ToString())}' is not supported; use value eq \"<id>\", optionally joined by or");
            }

            state.Remove(ids);
            return;
        }

        Members(operation.Type, operation.Value, state);
    }

    private static void Members(PatchOperationType type, JsonNode? value, MemberState state)
    {
        switch (type)
        {
            case PatchOperationType.Add:
                if (value is null)
                {
                    throw ScimException.InvalidValue("add of members needs a value");
                }

                state.Add(Ids(value));
                break;
            case PatchOperationType.Replace:
                state.ReplaceWith(value is null ? [] : Ids(value));
                break;
            default:
                if (value is null)
                {
                    state.ReplaceWith([]);
                }
                else
                {
                    // Entra: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes only the listed members.
                    state.Remove(Ids(value));
                }

                break;
        }
    }

    private static List<string> Ids(JsonNode value)
    {
        var ids = new List<string>();
        if (value is JsonArray array)
        {
            foreach (var item in array)
            {
                ids.Add(Id(item));
            }
        }
        else
        {
            ids.Add(Id(value));
        }

        return ids;
    }

    private static string Id(JsonNode? member)
    {
        var node = member is JsonObject obj ? ScimJson.Get(obj, "value") : member;
        if (!ScimJson.TryGetString(node, out var id) || string.IsNullOrWhiteSpace(id))
        {
            throw ScimException.InvalidValue("each member needs a \"value\" holding the member's id, e.g. {\"value\": \"2819c223\"}");
        }

        return id;
    }

    private static bool CollectIds(Filter filter, List<string> ids)
    {
        switch (filter)
        {
            case ComparisonFilter { Operator: ComparisonOperator.Eq, Value: StringLiteral id } comparison
                when string.Equals(comparison.Path.Name, "value", StringComparison.OrdinalIgnoreCase) && comparison.Path.SchemaUri is null:
                ids.Add(id.Value);
                return true;
            case OrFilter or:
                foreach (var operand in or.Operands)
                {
                    if (!CollectIds(operand, ids))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private static bool IsMembersKey(string key) =>
        string.Equals(key, MembersName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(key, ScimConstants.GroupSchema + ":" + MembersName, StringComparison.OrdinalIgnoreCase);

    private static bool IsMembersPath(AttributePath path) =>
        string.Equals(path.Name, MembersName, StringComparison.OrdinalIgnoreCase)
        && (path.SchemaUri is null || string.Equals(path.SchemaUri, ScimConstants.GroupSchema, StringComparison.OrdinalIgnoreCase));

    /// <summary>Folds member operations in order into net sets; insertion order is kept for stable output.</summary>
    private sealed class MemberState
    {
        public OrderedIdSet? Replace { get; private set; }

        public OrderedIdSet Adds { get; } = new();

        public OrderedIdSet Removes { get; } = new();

        public void Add(IEnumerable<string> ids)
        {
            foreach (var id in ids)
            {
                if (Replace is not null)
                {
                    Replace.Add(id);
                }
                else
                {
                    Removes.Remove(id);
                    Adds.Add(id);
                }
            }
        }

        public void Remove(IEnumerable<string> ids)
        {
            foreach (var id in ids)
            {
                if (Replace is not null)
                {
                    Replace.Remove(id);
                }
                else
                {
                    Adds.Remove(id);
                    Removes.Add(id);
                }
            }
        }

        public void ReplaceWith(IEnumerable<string> ids)
        {
            Replace = new OrderedIdSet();
            foreach (var id in ids)
            {
                Replace.Add(id);
            }

            Adds.Clear();
            Removes.Clear();
        }
    }

    private sealed class OrderedIdSet
    {
        private readonly Dictionary<string, long> _order = new(StringComparer.Ordinal);
        private long _next;

        public void Add(string id) => _order.TryAdd(id, _next++);

        public void Remove(string id) => _order.Remove(id);

        public void Clear() => _order.Clear();

        public List<string> ToList() => [.. _order.OrderBy(p => p.Value).Select(p => p.Key)];
    }
}
