using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Patch;

/// <summary>The patched copy of a resource, and whether any operation changed it.</summary>
public sealed record PatchResult(JsonObject Resource, bool Changed);

/// <summary>
/// Applies PATCH operations (RFC 7644 §3.5.2) to a resource held as JSON, driven by its resource type's schemas.
/// All or nothing: the operations run on a deep copy, and any error throws a <see cref="ScimException"/> and leaves
/// the input untouched. Extension attributes live under their schema URN (<c>"urn:...:enterprise:2.0:User": {...}</c>).
/// </summary>
public sealed class PatchApplier
{
    private readonly AttributeResolver _resolver;
    private readonly FilterEvaluator _evaluator;
    private readonly FilterParserOptions _pathOptions;

    public PatchApplier(ResourceTypeDefinition resourceType, PatchOptions? options = null)
    {
        _resolver = new AttributeResolver(resourceType);
        _evaluator = new FilterEvaluator(_resolver.Find, [.. resourceType.Extensions.Select(e => e.Schema.Id)]);
        _pathOptions = (options ?? PatchOptions.Default).PathOptions;
    }

    public ResourceTypeDefinition ResourceType => _resolver.ResourceType;

    /// <summary>Returns the patched copy of <paramref name="resource"/>; the input is never modified.</summary>
    /// <exception cref="ScimException">invalidPath, invalidValue, invalidFilter, noTarget or mutability; nothing is applied.</exception>
    public PatchResult Apply(JsonObject resource, PatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(request);
        var working = resource.DeepClone().AsObject();
        for (var i = 0; i < request.Operations.Count; i++)
        {
            try
            {
                ApplyOperation(working, request.Operations[i]);
            }
            catch (ScimException e)
            {
                throw new ScimException(e.Status, e.ScimType, string.Create(CultureInfo.InvariantCulture, $"Operations[{i}]: {e.Detail}"));
            }
        }

        TidyExtensions(working);
        return new PatchResult(working, !JsonNode.DeepEquals(resource, working));
    }

    /// <summary>Parses and applies a PATCH body in one step.</summary>
    public PatchResult Apply(JsonObject resource, JsonNode? body, PatchOptions? options = null) =>
        Apply(resource, PatchRequest.Parse(body, options));

    private void ApplyOperation(JsonObject root, PatchOperation operation)
    {
        if (operation.Path is not null)
        {
            Apply(root, operation.Type, operation.Path, operation.Value, explicitPath: true);
            return;
        }

        if (operation.Type == PatchOperationType.Remove)
        {
            throw ScimException.NoTarget("remove needs a 'path'");
        }

        if (operation.Value is not JsonObject attributes)
        {
            throw ScimException.InvalidValue("add and replace without a 'path' need an object of attributes as 'value'");
        }

        // RFC 7644 §3.5.2.1/§3.5.2.3: without a path the value is a set of attributes of the resource. Entra's default
        // dialect also uses attribute paths as keys ("name.givenName", "emails[type eq \"work\"].value",
        // "urn:...:enterprise:2.0:User:department"), so every key is parsed as a path.
        foreach (var (key, value) in attributes.ToArray())
        {
            if (string.Equals(key, "schemas", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var schema = _resolver.FindSchema(key, out _);
            if (schema is not null)
            {
                if (value is not JsonObject schemaAttributes)
                {
                    throw ScimException.InvalidValue($"'{key}' must be an object of that schema's attributes");
                }

                foreach (var (innerKey, innerValue) in schemaAttributes.ToArray())
                {
                    var inner = ParseKey(innerKey);
                    if (inner.Attribute.SchemaUri is not null)
                    {
                        throw ScimException.InvalidValue($"'{key}' holds the key '{innerKey}', which names a schema of its own");
                    }

                    var qualified = inner with { Attribute = inner.Attribute with { SchemaUri = schema.Id } };
                    Apply(root, operation.Type, qualified, innerValue, explicitPath: false);
                }

                continue;
            }

            Apply(root, operation.Type, ParseKey(key), value, explicitPath: false);
        }
    }

    private PatchPath ParseKey(string key)
    {
        try
        {
            return PatchPath.Parse(key, _pathOptions);
        }
        catch (ScimException e)
        {
            throw ScimException.InvalidValue($"the value's key '{Shorten(key)}' is not an attribute path: {e.Detail}");
        }
    }

    private void Apply(JsonObject root, PatchOperationType type, PatchPath path, JsonNode? value, bool explicitPath)
    {
        var target = Resolve(path, explicitPath);
        var attribute = target.Attribute;
        var container = Container(root, target, create: type != PatchOperationType.Remove);
        if (container is null)
        {
            return;
        }

        ScimJson.TryGetProperty(container, attribute.Name, out var key, out var current);
        if (!string.Equals(key, attribute.Name, StringComparison.Ordinal) && current is not null)
        {
            // Store under the schema's spelling so one attribute never ends up under two keys.
            container.Remove(key);
            container[attribute.Name] = current;
        }
        else if (!string.Equals(key, attribute.Name, StringComparison.Ordinal))
        {
            container.Remove(key);
        }

        var watched = attribute.Mutability != Mutability.ReadWrite || attribute.Required;
        var before = watched ? current?.DeepClone() : null;

        if (type == PatchOperationType.Remove)
        {
            Remove(container, target, path, value);
        }
        else if (value is null)
        {
            if (type == PatchOperationType.Replace)
            {
                // A replace with null unassigns, as null does in a PUT (RFC 7643 §2.5).
                Remove(container, target, path, null);
            }
            else if (explicitPath)
            {
                throw ScimException.InvalidValue($"add of '{path}' needs a value, not null");
            }
        }
        else
        {
            Set(container, type, target, path, value, explicitPath);
        }

        if (watched)
        {
            CheckMutability(attribute, path, before, ScimJson.Get(container, attribute.Name));
        }
    }

    private sealed record Target(ResolvedAttribute Resolved, AttributeDefinition? Sub)
    {
        public AttributeDefinition Attribute => Resolved.Attribute;
    }

    private Target Resolve(PatchPath path, bool explicitPath)
    {
        var resolved = _resolver.Resolve(path.Attribute.Parent);
        if (resolved is null)
        {
            var message = $"'{Shorten(path.Attribute.Parent.ToString())}' is not an attribute of {ResourceType.Name}";
            throw explicitPath ? ScimException.InvalidPath(message) : ScimException.InvalidValue(message);
        }

        var attribute = resolved.Attribute;
        AttributeDefinition? sub = null;
        if (path.Attribute.SubAttribute is { } subName)
        {
            sub = attribute.Type == AttributeType.Complex ? attribute.FindSubAttribute(subName) : null;
            if (sub is null)
            {
                var message = $"'{attribute.Name}' has no sub-attribute '{Shorten(subName)}'";
                throw explicitPath ? ScimException.InvalidPath(message) : ScimException.InvalidValue(message);
            }
        }

        if (path.ValueFilter is not null)
        {
            if (!attribute.MultiValued)
            {
                throw ScimException.InvalidPath($"a value filter needs a multi-valued attribute; '{attribute.Name}' has one value");
            }

            CheckFilterNames(path.ValueFilter, attribute);
        }

        return new Target(resolved, sub);
    }

    private static void CheckFilterNames(Filter filter, AttributeDefinition attribute)
    {
        var pending = new Stack<Filter>();
        pending.Push(filter);
        while (pending.Count > 0)
        {
            AttributePath? named = null;
            switch (pending.Pop())
            {
                case AndFilter and:
                    foreach (var operand in and.Operands)
                    {
                        pending.Push(operand);
                    }

                    break;
                case OrFilter or:
                    foreach (var operand in or.Operands)
                    {
                        pending.Push(operand);
                    }

                    break;
                case NotFilter not:
                    pending.Push(not.Operand);
                    break;
                case ComparisonFilter comparison:
                    named = comparison.Path;
                    break;
                case PresentFilter present:
                    named = present.Path;
                    break;
            }

            if (named is null)
            {
                continue;
            }

            var known = attribute.Type == AttributeType.Complex
                ? attribute.FindSubAttribute(named.Name) is not null
                : string.Equals(named.Name, "value", StringComparison.OrdinalIgnoreCase);
            if (!known)
            {
                throw ScimException.InvalidPath($"'{Shorten(named.Name)}' in the filter is not a sub-attribute of '{attribute.Name}'");
            }
        }
    }

    private static JsonObject? Container(JsonObject root, Target target, bool create)
    {
        if (!target.Resolved.IsExtension)
        {
            return root;
        }

        var uri = target.Resolved.Schema.Id;
        if (ScimJson.TryGetProperty(root, uri, out var key, out var node))
        {
            if (node is JsonObject extension)
            {
                return extension;
            }

            if (node is not null)
            {
                throw ScimException.InvalidValue($"the resource's '{uri}' is not an object");
            }

            root.Remove(key);
        }

        if (!create)
        {
            return null;
        }

        var created = new JsonObject();
        root[uri] = created;
        return created;
    }

    private void Set(JsonObject container, PatchOperationType type, Target target, PatchPath path, JsonNode value, bool explicitPath)
    {
        var attribute = target.Attribute;
        var current = ScimJson.Get(container, attribute.Name);

        if (path.ValueFilter is not null)
        {
            SetFiltered(container, type, target, path, value, explicitPath);
            return;
        }

        if (target.Sub is { } sub)
        {
            if (attribute.MultiValued)
            {
                throw ScimException.InvalidPath(
                    $"'{path}' without a value filter is ambiguous; select the values, e.g. {attribute.Name}[type eq \"work\"].{sub.Name}");
            }

            if (current is not JsonObject complex)
            {
                complex = [];
                container[attribute.Name] = complex;
            }

            SetSubAttribute(complex, sub, path, Coercion.Value(value, sub, path.ToString()), type == PatchOperationType.Add);
            return;
        }

        if (attribute.MultiValued)
        {
            var values = Coercion.Values(value, attribute, path.ToString());
            CheckSinglePrimary(values, path);
            if (type == PatchOperationType.Replace || current is null)
            {
                // RFC 7644 §3.5.2.3: replace of a multi-valued attribute without a filter replaces all its values.
                var array = new JsonArray();
                var added = new List<JsonNode>();
                foreach (var item in values)
                {
                    added.Add(Values.Add(array, item, attribute));
                }

                Store(container, attribute, array);
                ClearOtherPrimaries(array, added);
            }
            else
            {
                var array = current as JsonArray ?? Wrap(container, attribute, current);
                var added = new List<JsonNode>();
                foreach (var item in values)
                {
                    added.Add(Values.Add(array, item, attribute));
                }

                ClearOtherPrimaries(array, added);
            }

            return;
        }

        var coerced = Coercion.Value(value, attribute, path.ToString());
        if (attribute.Type == AttributeType.Complex && current is JsonObject existing && coerced is JsonObject incoming)
        {
            // RFC 7644 §3.5.2.1 and §3.5.2.3: a complex value merges; sub-attributes not given stay as they are.
            foreach (var (subName, subValue) in incoming.ToArray())
            {
                incoming.Remove(subName);
                SetSubAttribute(existing, attribute.FindSubAttribute(subName)!, path, subValue, append: false);
            }

            return;
        }

        container[attribute.Name] = coerced;
    }

    private void SetFiltered(JsonObject container, PatchOperationType type, Target target, PatchPath path, JsonNode value, bool explicitPath)
    {
        var attribute = target.Attribute;
        var array = ScimJson.Get(container, attribute.Name) switch
        {
            JsonArray existing => existing,
            null => null,
            var single => Wrap(container, attribute, single),
        };

        var matches = Matching(array, path);
        JsonNode? coercedWhole = null;
        if (target.Sub is null)
        {
            coercedWhole = Coercion.Element(value, attribute, path.ToString());
            CheckSinglePrimary([coercedWhole], path);
        }

        if (matches.Count == 0)
        {
            // RFC 7644 §3.5.2.3: replace with a value filter that matches nothing is noTarget. A path-less Entra value
            // whose key is such a path is applied like an add (RFC: replace of a target that does not exist adds).
            if (type == PatchOperationType.Replace && explicitPath)
            {
                throw ScimException.NoTarget($"no value of '{attribute.Name}' matches '{Shorten(path.ToString())}'");
            }

            // RFC 7644 leaves add with a value filter undefined. Entra adds a user's first work email as
            // {"op":"Add","path":"emails[type eq \"work\"].value","value":"..."}: when nothing matches, a new value is
            // made from the filter's equalities (type = "work") plus the given value. A filter that does not pin
            // the value down (or, ne, co, ...) cannot say what to create, so that is noTarget.
            var seed = Seed(path.ValueFilter!, attribute)
                ?? throw ScimException.NoTarget(
                    $"no value of '{attribute.Name}' matches '{Shorten(path.ToString())}', and the filter does not say what value to add");
            if (target.Sub is { } sub)
            {
                seed[sub.Name] = Coercion.Value(value, sub, path.ToString());
            }
            else if (coercedWhole is JsonObject whole)
            {
                foreach (var (subName, subValue) in whole.ToArray())
                {
                    whole.Remove(subName);
                    seed[subName] = subValue;
                }
            }

            if (array is null)
            {
                array = [];
                container[attribute.Name] = array;
            }

            var added = Values.Add(array, seed, attribute);
            CheckSinglePrimary([added], path);
            ClearOtherPrimaries(array, [added]);
            return;
        }

        var changed = new List<JsonNode>();
        foreach (var index in matches)
        {
            var element = array![index]!;
            if (target.Sub is { } sub)
            {
                if (element is not JsonObject complex)
                {
                    throw ScimException.InvalidPath($"'{attribute.Name}' holds simple values, which have no '{sub.Name}'");
                }

                SetSubAttribute(complex, sub, path, Coercion.Value(value, sub, path.ToString()), type == PatchOperationType.Add);
                changed.Add(complex);
            }
            else if (type == PatchOperationType.Replace || element is not JsonObject)
            {
                // RFC 7644 §3.5.2.3: "all matching record values SHALL be replaced".
                var replacement = coercedWhole!.DeepClone();
                array[index] = replacement;
                changed.Add(replacement);
            }
            else
            {
                var complex = element.AsObject();
                foreach (var (subName, subValue) in coercedWhole!.AsObject())
                {
                    SetSubAttribute(complex, attribute.FindSubAttribute(subName)!, path, subValue?.DeepClone(), append: true);
                }

                changed.Add(complex);
            }
        }

        CheckSinglePrimary(changed, path);
        ClearOtherPrimaries(array!, changed);
    }

    private void Remove(JsonObject container, Target target, PatchPath path, JsonNode? value)
    {
        var attribute = target.Attribute;
        if (!ScimJson.TryGetProperty(container, attribute.Name, out var key, out var current) || current is null)
        {
            container.Remove(key);
            return;
        }

        if (path.ValueFilter is not null)
        {
            var array = current as JsonArray ?? Wrap(container, attribute, current);
            var matches = Matching(array, path);
            for (var m = matches.Count - 1; m >= 0; m--)
            {
                var index = matches[m];
                if (target.Sub is { } sub)
                {
                    if (array[index] is JsonObject complex && RemoveSubAttribute(complex, sub, path) && complex.Count == 0)
                    {
                        array.RemoveAt(index);
                    }
                }
                else
                {
                    array.RemoveAt(index);
                }
            }

            if (array.Count == 0)
            {
                container.Remove(attribute.Name);
            }

            return;
        }

        if (target.Sub is { } subAttribute)
        {
            if (current is JsonArray elements)
            {
                for (var i = elements.Count - 1; i >= 0; i--)
                {
                    if (elements[i] is JsonObject complex && RemoveSubAttribute(complex, subAttribute, path) && complex.Count == 0)
                    {
                        elements.RemoveAt(i);
                    }
                }

                if (elements.Count == 0)
                {
                    container.Remove(attribute.Name);
                }
            }
            else if (current is JsonObject complex && RemoveSubAttribute(complex, subAttribute, path) && complex.Count == 0)
            {
                container.Remove(attribute.Name);
            }

            return;
        }

        if (attribute.MultiValued && value is not null)
        {
            // Entra removes members as {"op":"Remove","path":"members","value":[{"value":"id1"}]}: only the listed
            // values go. (RFC 7644 defines no value on remove; without one the whole attribute goes.)
            var array = current as JsonArray ?? Wrap(container, attribute, current);
            foreach (var listed in Coercion.Values(value, attribute, path.ToString()))
            {
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (Values.Identifies(listed, array[i], attribute))
                    {
                        array.RemoveAt(i);
                    }
                }
            }

            if (array.Count == 0)
            {
                container.Remove(attribute.Name);
            }

            return;
        }

        container.Remove(attribute.Name);
    }

    private List<int> Matching(JsonArray? array, PatchPath path)
    {
        var matches = new List<int>();
        if (array is null)
        {
            return matches;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is { } element && _evaluator.MatchesValue(path.ValueFilter!, path.Attribute, element))
            {
                matches.Add(i);
            }
        }

        return matches;
    }

    private static void SetSubAttribute(JsonObject complex, AttributeDefinition sub, PatchPath path, JsonNode? value, bool append)
    {
        ScimJson.TryGetProperty(complex, sub.Name, out var key, out var current);
        if (!string.Equals(key, sub.Name, StringComparison.Ordinal))
        {
            complex.Remove(key);
        }

        JsonNode? next;
        if (sub.MultiValued && append && current is JsonArray existing && value is JsonArray incoming)
        {
            next = existing.DeepClone();
            foreach (var item in incoming)
            {
                if (item is not null)
                {
                    Values.Add(next.AsArray(), item.DeepClone(), sub);
                }
            }
        }
        else
        {
            next = value;
        }

        if (sub.Mutability == Mutability.ReadOnly && !JsonNode.DeepEquals(current, next))
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}': '{sub.Name}' is read-only");
        }

        if (sub.Mutability == Mutability.Immutable && current is not null && !JsonNode.DeepEquals(current, next))
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}': '{sub.Name}' is immutable and already set");
        }

        if (next is null)
        {
            complex.Remove(sub.Name);
        }
        else
        {
            complex[sub.Name] = next;
        }
    }

    private static bool RemoveSubAttribute(JsonObject complex, AttributeDefinition sub, PatchPath path)
    {
        if (!ScimJson.TryGetProperty(complex, sub.Name, out var key, out var current))
        {
            return false;
        }

        if (current is not null && sub.Mutability is Mutability.ReadOnly or Mutability.Immutable)
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}': '{sub.Name}' is {(sub.Mutability == Mutability.ReadOnly ? "read-only" : "immutable")}");
        }

        if (current is not null && sub.Required)
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}': '{sub.Name}' is required");
        }

        complex.Remove(key);
        return true;
    }

    /// <summary>
    /// Read-only attributes may be "set" to the value they already have (Okta's group rename sends the group's own
    /// id); any other change is a mutability error (RFC 7643 §7). Immutable ones may be set only while unassigned,
    /// and required ones cannot be removed (RFC 7644 §3.5.2.2).
    /// </summary>
    private static void CheckMutability(AttributeDefinition attribute, PatchPath path, JsonNode? before, JsonNode? after)
    {
        var same = JsonNode.DeepEquals(before, after);
        if (attribute.Mutability == Mutability.ReadOnly && !same)
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}' is read-only");
        }

        if (attribute.Mutability == Mutability.Immutable && !same && ScimJson.HasValue(before))
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}' is immutable and already set");
        }

        if (attribute.Required && ScimJson.HasValue(before) && !ScimJson.HasValue(after))
        {
            throw ScimException.Mutability($"'{Shorten(path.ToString())}' is required and cannot be removed");
        }
    }

    /// <summary>A new value built from a filter of <c>sub eq literal</c> terms joined by <c>and</c>; null if it is anything else.</summary>
    private static JsonObject? Seed(Filter filter, AttributeDefinition attribute)
    {
        if (attribute.Type != AttributeType.Complex)
        {
            return null;
        }

        var terms = filter is AndFilter and ? and.Operands : [filter];
        var seed = new JsonObject();
        foreach (var term in terms)
        {
            if (term is not ComparisonFilter { Operator: ComparisonOperator.Eq } equality || equality.Value is NullLiteral)
            {
                return null;
            }

            var sub = attribute.FindSubAttribute(equality.Path.Name);
            if (sub is null)
            {
                return null;
            }

            JsonNode literal = equality.Value switch
            {
                StringLiteral s => JsonValue.Create(s.Value),
                NumberLiteral n => JsonNode.Parse(n.Text)!,
                BooleanLiteral b => JsonValue.Create(b.Value),
                _ => throw new InvalidOperationException("unreachable"),
            };
            seed[sub.Name] = Coercion.Value(literal, sub, equality.ToString());
        }

        return seed;
    }

    private static void CheckSinglePrimary(IEnumerable<JsonNode?> values, PatchPath path)
    {
        var count = 0;
        foreach (var value in values)
        {
            if (IsPrimary(value))
            {
                count++;
            }
        }

        if (count > 1)
        {
            throw ScimException.InvalidValue($"'{Shorten(path.ToString())}': at most one value may have \"primary\": true (RFC 7643 §2.4)");
        }
    }

    /// <summary>RFC 7643 §2.4: "primary": true appears at most once, so setting it on one value clears the others.</summary>
    private static void ClearOtherPrimaries(JsonArray array, IReadOnlyCollection<JsonNode> changed)
    {
        JsonNode? winner = null;
        foreach (var node in changed)
        {
            if (IsPrimary(node))
            {
                winner = node;
            }
        }

        if (winner is null)
        {
            return;
        }

        foreach (var item in array)
        {
            if (!ReferenceEquals(item, winner) && item is JsonObject other && IsPrimary(other))
            {
                ScimJson.TryGetProperty(other, "primary", out var key, out _);
                other[key] = false;
            }
        }
    }

    private static bool IsPrimary(JsonNode? value) =>
        value is JsonObject obj && ScimJson.TryGetBoolean(ScimJson.Get(obj, "primary"), out var primary) && primary;

    private static JsonArray Wrap(JsonObject container, AttributeDefinition attribute, JsonNode single)
    {
        container.Remove(attribute.Name);
        var array = new JsonArray(single);
        container[attribute.Name] = array;
        return array;
    }

    private static void Store(JsonObject container, AttributeDefinition attribute, JsonArray array)
    {
        if (array.Count == 0)
        {
            container.Remove(attribute.Name);
        }
        else
        {
            container[attribute.Name] = array;
        }
    }

    /// <summary>Drops emptied extension objects and keeps <c>schemas</c> naming exactly the extensions present.</summary>
    private void TidyExtensions(JsonObject root)
    {
        var schemas = ScimJson.Get(root, "schemas") as JsonArray;
        foreach (var extension in ResourceType.Extensions)
        {
            var uri = extension.Schema.Id;
            var present = false;
            if (ScimJson.TryGetProperty(root, uri, out var key, out var node))
            {
                if (node is JsonObject obj && obj.Count > 0)
                {
                    present = true;
                }
                else
                {
                    root.Remove(key);
                }
            }

            if (schemas is null)
            {
                continue;
            }

            var listed = -1;
            for (var i = 0; i < schemas.Count; i++)
            {
                if (ScimJson.TryGetString(schemas[i], out var s) && string.Equals(s, uri, StringComparison.OrdinalIgnoreCase))
                {
                    listed = i;
                    break;
                }
            }

            if (present && listed < 0)
            {
                schemas.Add(uri);
            }
            else if (!present && listed >= 0)
            {
                schemas.RemoveAt(listed);
            }
        }
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "...");
}

/// <summary>Checks and normalises request values against attribute definitions (RFC 7643 §2.3 types).</summary>
internal static class Coercion
{
    public static List<JsonNode> Values(JsonNode value, AttributeDefinition attribute, string where)
    {
        var result = new List<JsonNode>();
        if (value is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    result.Add(Single(item, attribute, where));
                }
            }
        }
        else
        {
            result.Add(Single(value, attribute, where));
        }

        return result;
    }

    /// <summary>A value for the attribute: an array for a multi-valued one, else a single value.</summary>
    public static JsonNode Value(JsonNode value, AttributeDefinition attribute, string where) =>
        attribute.MultiValued ? new JsonArray([.. Values(value, attribute, where)]) : Single(value, attribute, where);

    /// <summary>One value of the attribute, even when it is multi-valued.</summary>
    public static JsonNode Element(JsonNode value, AttributeDefinition attribute, string where) => Single(value, attribute, where);

    private static JsonNode Single(JsonNode value, AttributeDefinition attribute, string where)
    {
        var kind = value.GetValueKind();
        switch (attribute.Type)
        {
            case AttributeType.String or AttributeType.Reference or AttributeType.Binary:
                if (kind != JsonValueKind.String)
                {
                    throw Invalid(where, attribute, "a string");
                }

                return value.DeepClone();
            case AttributeType.DateTime:
                if (!ScimJson.TryGetString(value, out var text) || !FilterEvaluator.TryParseInstant(text, out _))
                {
                    throw Invalid(where, attribute, "an xsd:dateTime string such as \"2011-05-13T04:42:34Z\"");
                }

                return value.DeepClone();
            case AttributeType.Boolean:
                if (kind is JsonValueKind.True or JsonValueKind.False)
                {
                    return value.DeepClone();
                }

                // Entra's default dialect sends booleans as the strings "True" / "False".
                if (ScimJson.TryGetString(value, out var flag) && bool.TryParse(flag, out var parsed))
                {
                    return JsonValue.Create(parsed);
                }

                throw Invalid(where, attribute, "true or false");
            case AttributeType.Integer:
                if (kind != JsonValueKind.Number || !value.AsValue().TryGetValue<long>(out _))
                {
                    throw Invalid(where, attribute, "an integer");
                }

                return value.DeepClone();
            case AttributeType.Decimal:
                if (kind != JsonValueKind.Number)
                {
                    throw Invalid(where, attribute, "a number");
                }

                return value.DeepClone();
            case AttributeType.Complex:
                return Complex(value, attribute, where, dropReadOnly: attribute.Mutability != Mutability.ReadOnly);
            default:
                throw Invalid(where, attribute, "a supported type");
        }
    }

    private static JsonObject Complex(JsonNode value, AttributeDefinition attribute, string where, bool dropReadOnly)
    {
        // A bare string for a complex attribute with a "value" sub-attribute means that value: Entra sends the
        // enterprise manager as {"path":"urn:...:manager","value":"<manager id>"}.
        if (value.GetValueKind() == JsonValueKind.String && attribute.FindSubAttribute("value") is { } valueSub)
        {
            return new JsonObject { [valueSub.Name] = Single(value, valueSub, where) };
        }

        if (value is not JsonObject obj)
        {
            throw Invalid(where, attribute, "an object");
        }

        var result = new JsonObject();
        foreach (var (key, subValue) in obj)
        {
            var sub = attribute.FindSubAttribute(key)
                ?? throw ScimException.InvalidValue($"'{PatchApplier.Shorten(where)}': '{attribute.Name}' has no sub-attribute '{PatchApplier.Shorten(key)}'");

            // Null means unassigned (RFC 7643 §2.5); read-only sub-attributes inside a value (display names an IdP
            // echoes back) are ignored as in a PUT (RFC 7644 §3.5.1) rather than failing the whole PATCH. Inside a
            // read-only attribute they are kept, so that changing it is a mutability error and repeating it is not.
            if (subValue is null || (dropReadOnly && sub.Mutability == Mutability.ReadOnly))
            {
                continue;
            }

            result[sub.Name] = sub.MultiValued ? Value(subValue, sub, where) : SingleSub(subValue, sub, where);
        }

        return result;
    }

    private static JsonNode SingleSub(JsonNode value, AttributeDefinition sub, string where)
    {
        if (sub.Type == AttributeType.Complex)
        {
            throw ScimException.InvalidValue($"'{PatchApplier.Shorten(where)}': complex sub-attribute '{sub.Name}' is not supported");
        }

        return Single(value, sub, where);
    }

    private static ScimException Invalid(string where, AttributeDefinition attribute, string expected) =>
        ScimException.InvalidValue($"'{PatchApplier.Shorten(where)}': '{attribute.Name}' must be {expected}");
}

/// <summary>Identity of values in multi-valued attributes.</summary>
internal static class Values
{
    /// <summary>
    /// Adds a value unless it is already there. Entra re-adds existing members and emails, so a value whose given
    /// sub-attributes all equal an existing value's is a no-op, and a value with the same <c>value</c> (and
    /// compatible <c>type</c>) as an existing one is merged into it rather than duplicated. Returns the stored value.
    /// </summary>
    public static JsonNode Add(JsonArray array, JsonNode value, AttributeDefinition attribute)
    {
        foreach (var existing in array)
        {
            if (existing is not null && Identifies(value, existing, attribute))
            {
                if (existing is JsonObject target && value is JsonObject incoming)
                {
                    foreach (var (key, sub) in incoming.ToArray())
                    {
                        incoming.Remove(key);
                        var definition = attribute.FindSubAttribute(key);
                        var known = ScimJson.TryGetProperty(target, key, out var existingKey, out var current);
                        if (known && definition is not null && Same(sub, current, definition))
                        {
                            // Equal under the attribute's case rules: keep the stored spelling, change nothing.
                            continue;
                        }

                        target.Remove(existingKey);
                        target[key] = sub;
                    }
                }

                return existing;
            }
        }

        array.Add(value);
        return value;
    }

    /// <summary>Whether <paramref name="listed"/> names <paramref name="existing"/>: same <c>value</c> and compatible <c>type</c>, or equal sub-attributes.</summary>
    public static bool Identifies(JsonNode listed, JsonNode? existing, AttributeDefinition attribute)
    {
        if (existing is null)
        {
            return false;
        }

        if (listed is not JsonObject incoming || existing is not JsonObject current)
        {
            return Same(listed, existing, attribute);
        }

        var valueSub = attribute.FindSubAttribute("value");
        if (valueSub is not null && ScimJson.TryGetProperty(incoming, "value", out _, out var incomingValue) && incomingValue is not null)
        {
            if (!Same(incomingValue, ScimJson.Get(current, "value"), valueSub))
            {
                return false;
            }

            var typeSub = attribute.FindSubAttribute("type");
            var incomingType = ScimJson.Get(incoming, "type");
            var currentType = ScimJson.Get(current, "type");
            return typeSub is null || incomingType is null || currentType is null || Same(incomingType, currentType, typeSub);
        }

        foreach (var (key, sub) in incoming)
        {
            var definition = attribute.FindSubAttribute(key);
            if (definition is null || !Same(sub, ScimJson.Get(current, key), definition))
            {
                return false;
            }
        }

        return incoming.Count > 0;
    }

    private static bool Same(JsonNode? left, JsonNode? right, AttributeDefinition definition)
    {
        if (ScimJson.TryGetString(left, out var l) && ScimJson.TryGetString(right, out var r))
        {
            return string.Equals(l, r, definition.CaseExact ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
        }

        return JsonNode.DeepEquals(left, right);
    }
}
