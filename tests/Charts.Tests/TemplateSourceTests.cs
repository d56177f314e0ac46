using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microservices.Charts.Tests.Infrastructure;

namespace Microservices.Charts.Tests;

/// <summary>The templates as source: well-formed blocks, YAML once the actions are stripped, and every values
/// reference backed by values.yaml.</summary>
public sealed partial class TemplateSourceTests
{
    public static TheoryData<string> Manifests() =>
        [.. ChartTemplate.All().Select(t => t.FileName).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal))];

    [Fact]
    public void Templates_EveryValuesReference_ExistsInValuesYaml()
    {
        var values = Yaml.DefaultValues();
        var missing = ChartTemplate.All()
            .SelectMany(t => t.ValuesReferences().Select(r => (t.FileName, Reference: r)))
            .Where(x => !Exists(values, x.Reference.Path))
            .Select(x => $"{x.FileName}:{x.Reference.Line + 1} .Values.{x.Reference.Path}")
            .ToList();

        Assert.True(missing.Count == 0, "not in values.yaml: " + string.Join(", ", missing));
    }

    [Fact]
    public void Templates_ReferenceThePerServiceValues()
    {
        // Guards the reference check above against a parser that finds nothing.
        var paths = ChartTemplate.All().SelectMany(t => t.ValuesReferences()).Select(r => r.Path).ToHashSet();

        Assert.Contains("services.*.sidecar.resources.limits.memory", paths);
        Assert.Contains("services.*.existingSecret", paths);
        Assert.Contains("dapr.pubsub.redis.processingTimeout", paths);
        Assert.Contains("networkPolicy.egress.broker.ports", paths);
    }

    [Fact]
    public void Templates_EveryBlock_IsClosed()
    {
        var unbalanced = ChartTemplate.All().Where(t => t.UnclosedBlocks() != 0).Select(t => t.FileName).ToList();

        Assert.Empty(unbalanced);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Template_WithoutItsActions_IsKubernetesYaml(string fileName)
    {
        var documents = ChartTemplate.Load(fileName).Skeleton(Yaml.DefaultValues());

        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(d["apiVersion"]?.ToString()));
            Assert.False(string.IsNullOrEmpty(d["kind"]?.ToString()));
            Assert.NotNull(d.At("metadata.name"));
        });
    }

    [Fact]
    public void Templates_NamespacedObjects_NameTheReleaseNamespace()
    {
        foreach (var template in ChartTemplate.All().Where(t => t.FileName.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var documents = template.Skeleton(Yaml.DefaultValues());
            Assert.All(documents, d => Assert.Equal(ChartTemplate.Placeholder, d.Str("metadata.namespace")));
            Assert.Equal(documents.Count, Regex.Count(template.Text, @"namespace: \{\{ \$?\.Release\.Namespace \}\}"));
        }
    }

    [Fact]
    public void ValuesYaml_EveryKnob_IsDocumented()
    {
        // Each key has a `# --` comment right above it, or sits in a block whose key has one (e.g. securityContext).
        var lines = Repo.Read("charts", "scim-platform", "values.yaml").Split('\n');
        var documentedAt = new List<int>();
        var undocumented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = KeyLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var indent = match.Groups[1].Value.Length;
            documentedAt.RemoveAll(level => level >= indent);
            if (CommentAbove(lines, i).Any(c => c.StartsWith("# --", StringComparison.Ordinal)))
            {
                documentedAt.Add(indent);
            }
            else if (documentedAt.Count == 0 && !lines[i].TrimEnd().EndsWith(':'))
            {
                undocumented.Add($"{i + 1}: {lines[i].Trim()}");
            }
        }

        Assert.True(undocumented.Count == 0, "undocumented: " + string.Join("; ", undocumented));
    }

    private static IEnumerable<string> CommentAbove(string[] lines, int index)
    {
        for (var i = index - 1; i >= 0 && lines[i].TrimStart().StartsWith('#'); i--)
        {
            yield return lines[i].Trim();
        }
    }

    private static bool Exists(JsonNode? node, string path)
    {
        var parts = path.Split('.', 2);
        if (node is not JsonObject map)
        {
            return false;
        }

        if (parts[0] == "*")
        {
            return map.Count > 0 && map.All(child => parts.Length == 1 || Exists(child.Value, parts[1]));
        }

        return map.TryGetPropertyValue(parts[0], out var next) && (parts.Length == 1 || Exists(next, parts[1]));
    }

    [GeneratedRegex(@"^( *)[A-Za-z][A-Za-z0-9_.\-/]*:( |$)")]
    private static partial Regex KeyLine();
}
