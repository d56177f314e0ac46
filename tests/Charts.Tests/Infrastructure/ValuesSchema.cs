using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>The chart's values.schema.json, evaluated as Helm does: against the merged values.</summary>
public static class ValuesSchema
{
    private static readonly Lazy<JsonSchema> _schema = new(() =>
        JsonSchema.FromText(Repo.Read("charts", "scim-platform", "values.schema.json")));

    /// <summary>The instance locations and messages of every failed check; empty when the values are valid.</summary>
    public static IReadOnlyList<string> Errors(JsonNode values)
    {
        using var document = JsonDocument.Parse(values.ToJsonString());
        var result = _schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return [];
        }

        return [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))];
    }
}
