using System.Text.Json.Nodes;
using Microservices.Charts.Tests.Infrastructure;

namespace Microservices.Charts.Tests;

/// <summary>values.schema.json against the values files, merged as Helm merges them before it validates.</summary>
public sealed class ValuesSchemaTests
{
    public static TheoryData<string> Stacks() => [.. Repo.AllStacks];

    [Fact]
    public void DefaultValues_Alone_ValidateAgainstSchema()
    {
        Assert.Empty(ValuesSchema.Errors(Yaml.DefaultValues()));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void StackFile_MergedOverDefaults_ValidatesAgainstSchema(string stack)
    {
        Assert.Empty(ValuesSchema.Errors(Yaml.StackValues(stack)));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void StackFile_NamesItsOwnStack(string stack)
    {
        Assert.Equal(stack, Yaml.StackValues(stack).Str("global.stack"));
    }

    [Theory]
    [InlineData("global.stack", "\"eu\"")]
    [InlineData("global.image.tag", "\"latest\"")]
    [InlineData("services.users.image.tag", "\"latest\"")]
    [InlineData("services.users.appId", "\"user-service\"")]
    [InlineData("services.users.daprConfig", "\"edge\"")]
    [InlineData("dapr.pubsub.name", "\"pubsub\"")]
    [InlineData("dapr.pubsub.type", "\"rabbitmq\"")]
    [InlineData("dapr.resiliency.invoke.retry.maxRetries", "-1")]
    [InlineData("dapr.resiliency.deliver.timeout", "\"0s\"")]
    [InlineData("securityContext.readOnlyRootFilesystem", "false")]
    [InlineData("securityContext.allowPrivilegeEscalation", "true")]
    [InlineData("podSecurityContext.runAsNonRoot", "false")]
    [InlineData("securityContext.capabilities.drop", "[\"NET_RAW\"]")]
    [InlineData("scim.basePath", "\"/v1/scim/\"")]
    public void Schema_WeakenedOrInvalidValue_IsRejected(string path, string json)
    {
        var values = Yaml.StackValues("uk");
        Set(values, path, JsonNode.Parse(json));

        Assert.NotEmpty(ValuesSchema.Errors(values));
    }

    [Fact]
    public void Schema_UnknownKeyInStackFile_IsRejected()
    {
        // A misspelt knob must fail the install, not be silently ignored.
        var overlay = Yaml.Parse("services:\n  users:\n    replicas: 3\n")!.AsObject();

        Assert.NotEmpty(ValuesSchema.Errors(Yaml.Merge(Yaml.DefaultValues(), overlay)));
    }

    [Fact]
    public void Schema_KafkaWithoutBrokers_IsRejected()
    {
        var overlay = Yaml.Parse("dapr:\n  pubsub:\n    type: kafka\n")!.AsObject();

        Assert.NotEmpty(ValuesSchema.Errors(Yaml.Merge(Yaml.DefaultValues(), overlay)));
    }

    [Fact]
    public void Schema_KafkaWithBrokers_IsAccepted()
    {
        var overlay = Yaml.Parse("dapr:\n  pubsub:\n    type: kafka\n    kafka:\n      brokers: kafka-0:9093\n")!.AsObject();

        Assert.Empty(ValuesSchema.Errors(Yaml.Merge(Yaml.DefaultValues(), overlay)));
    }

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = root.At(string.Join('.', parts[..^1]))!.AsObject();
        parent[parts[^1]] = value;
    }
}
