using System.Text.Json.Nodes;
using Microservices.Charts.Tests.Infrastructure;
using Microservices.ServiceDefaults.Messaging;

namespace Microservices.Charts.Tests;

/// <summary>The Dapr resources of the chart: access control, topic scopes, resiliency.</summary>
public sealed class DaprResourceTests
{
    private static readonly string[] _appIds = ["scim-edge", "users", "roles", "orgunits"];

    public static TheoryData<string> Stacks() => [.. Repo.AllStacks];

    public static TheoryData<string> PubSubComponents() =>
        ["charts/scim-platform/templates/dapr-pubsub.yaml", "charts/local/selfhosted/pubsub.yaml"];

    [Fact]
    public void Services_AreTheFourAppIds()
    {
        var services = Yaml.DefaultValues().At("services")!.AsObject();

        Assert.Equal(_appIds.Order(), services.Select(s => s.Value.Str("appId")).Order());
    }

    [Fact]
    public void AccessControl_DeniesByDefault_AndLetsOnlyScimEdgeInvokeInternalRoutes()
    {
        var internalConfig = Configuration("internal");
        var policies = internalConfig.At("spec.accessControl.policies")!.AsArray();

        Assert.Equal("deny", internalConfig.Str("spec.accessControl.defaultAction"));
        var policy = Assert.Single(policies)!;
        Assert.Equal("scim-edge", policy.Str("appId"));
        Assert.Equal("deny", policy.Str("defaultAction"));
        Assert.Equal("public", policy.Str("trustDomain"));
        var operation = Assert.Single(policy.At("operations")!.AsArray())!;
        Assert.Equal("/internal/**", operation.Str("name"));
        Assert.Equal("allow", operation.Str("action"));
    }

    [Fact]
    public void AccessControl_AppliesToUsersRolesAndOrgunits_AndTheEdgeAcceptsNoCaller()
    {
        var services = Yaml.DefaultValues().At("services")!.AsObject();
        var edgeConfig = Configuration("edge");

        Assert.Equal(["orgunits", "roles", "users"],
            services.Where(s => s.Value.Str("daprConfig") == "internal").Select(s => s.Value.Str("appId")).Order());
        Assert.Equal("edge", services["scimEdge"].Str("daprConfig"));
        Assert.Equal("deny", edgeConfig.Str("spec.accessControl.defaultAction"));
        Assert.Null(edgeConfig.At("spec.accessControl.policies"));
        Assert.Contains("dapr.io/config: {{ include \"scim-platform.daprConfigName\" (dict \"root\" $ \"config\" $svc.daprConfig) | quote }}",
            ChartTemplate.Load("deployment.yaml").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiAllowlists_GiveTheEdgeInvokeAndTheDomainServicesPublishOnly()
    {
        var edge = Configuration("edge").At("spec.api.allowed")!.AsArray().Select(a => a!.Str("name"));
        var domain = Configuration("internal").At("spec.api.allowed")!.AsArray().Select(a => a!.Str("name"));

        Assert.Equal(["invoke"], edge);
        Assert.Equal(["publish"], domain);
    }

    [Fact]
    public void Configurations_TraceToTheCollector()
    {
        var helpers = Repo.Read("charts", "scim-platform", "templates", "_helpers.tpl");

        Assert.Contains("endpointAddress: {{ include \"scim-platform.otlpAddress\" . | quote }}", helpers, StringComparison.Ordinal);
        Assert.Equal(2, ChartTemplate.Load("dapr-configuration.yaml").Text.Split("include \"scim-platform.daprObservability\"").Length - 1);
        Assert.StartsWith("http://otel-collector.", Yaml.DefaultValues().Str("telemetry.otlp.endpoint"), StringComparison.Ordinal);
    }

    [Fact]
    public void PubSub_ComponentName_IsTheOneTheServicesUse()
    {
        var component = PubSub("charts/scim-platform/templates/dapr-pubsub.yaml");

        Assert.Equal(Topics.DefaultPubSubName, component.Str("metadata.name"));
        Assert.Equal(Topics.DefaultPubSubName, PubSub("charts/local/selfhosted/pubsub.yaml").Str("metadata.name"));
    }

    [Theory]
    [MemberData(nameof(PubSubComponents))]
    public async Task PubSub_Scopes_GrantEachAppExactlyTheTopicsItProducesAndConsumes(string path)
    {
        // What the services really do: their own /dapr/subscribe answers and the topics their outboxes publish.
        var subscriptions = await ServiceTopics.SubscriptionsAsync();
        var scopes = DaprTopicScopes.FromComponent(PubSub(path));
        var everyTopic = Topics.All.Concat(Topics.All.Select(Topics.DeadLetterOf))
            .Concat(subscriptions.Values.SelectMany(s => s).SelectMany(s => new[] { s.Topic, s.DeadLetterTopic }).OfType<string>())
            .Append("some-other-topic")
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(_appIds.Order(), subscriptions.Keys.Order());
        foreach (var app in _appIds)
        {
            // The sidecar subscribes to every topic of /dapr/subscribe (the dead-letter topics the app stores for
            // operators too), and publishes the app's events plus, for each subscription with a dead-letter topic,
            // what it could not deliver: that publish passes the same scope check as the app's own.
            var subscribes = subscriptions[app].Select(s => s.Topic).ToHashSet(StringComparer.Ordinal);
            var publishes = ServiceTopics.Publications(app)
                .Concat(subscriptions[app].Select(s => s.DeadLetterTopic).OfType<string>())
                .ToHashSet(StringComparer.Ordinal);
            Assert.All(subscriptions[app], s => Assert.Equal(Topics.DefaultPubSubName, s.PubSubName));

            foreach (var topic in everyTopic)
            {
                Assert.True(publishes.Contains(topic) == scopes.MayPublish(app, topic), $"{app} publish {topic}: expected {publishes.Contains(topic)}");
                Assert.True(subscribes.Contains(topic) == scopes.MaySubscribe(app, topic), $"{app} subscribe {topic}: expected {subscribes.Contains(topic)}");
            }
        }

        // The services do use dead letters; a contract that lost them would make this test vacuous.
        Assert.Contains(subscriptions["users"], s => s.Topic == Topics.DeadLetterOf(Topics.RoleMemberships));
        Assert.Contains(subscriptions["roles"], s => s.Topic == Topics.Users && s.DeadLetterTopic == Topics.DeadLetterOf(Topics.Users));
    }

    [Fact]
    public void PubSub_IsLoadedOnlyByTheDomainServices()
    {
        var template = ChartTemplate.Load("dapr-pubsub.yaml");
        var line = template.LineOf("  - {{ $svc.appId }}");

        Assert.Contains(template.EnclosingBlocks(line), b => b == "if and $svc.enabled (eq $svc.daprConfig \"internal\")");
        Assert.Equal(["orgunits", "roles", "users"],
            PubSub("charts/local/selfhosted/pubsub.yaml").At("scopes")!.AsArray().Select(s => s!.ToString()).Order());
    }

    [Fact]
    public void PubSub_EveryBrokerTypeOfTheSchema_HasAComponentType()
    {
        var helpers = Repo.Read("charts", "scim-platform", "templates", "_helpers.tpl");
        var pubsub = ChartTemplate.Load("dapr-pubsub.yaml").Text;
        var types = Yaml.Parse(Repo.Read("charts", "scim-platform", "values.schema.json"))
            .At("properties.dapr.properties.pubsub.properties.type.enum")!.AsArray().Select(t => t!.ToString()).ToList();

        Assert.Equal(["redis", "kafka", "azure-servicebus"], types);
        Assert.All(types, t =>
        {
            Assert.Contains($"eq $type \"{t}\"", helpers, StringComparison.Ordinal);
            Assert.Contains($"eq $pubsub.type \"{t}\"", pubsub, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Resiliency_TargetsOnlyPoliciesItDefines()
    {
        var resiliency = ChartTemplate.Load("dapr-resiliency.yaml").Skeleton(Yaml.DefaultValues()).Single();
        var policies = resiliency.At("spec.policies")!;
        var targets = new List<JsonNode>();
        targets.AddRange(resiliency.At("spec.targets.apps")!.AsObject().Select(t => t.Value!));
        var component = resiliency.At("spec.targets.components")!.AsObject().Single();
        targets.Add(component.Value!["outbound"]!);
        targets.Add(component.Value!["inbound"]!);

        Assert.Equal(Topics.DefaultPubSubName, component.Key);
        Assert.All(targets, t =>
        {
            Assert.NotNull(policies.At("timeouts." + t.Str("timeout")));
            Assert.NotNull(policies.At("retries." + t.Str("retry")));
            if (t["circuitBreaker"] is not null)
            {
                Assert.NotNull(policies.At("circuitBreakers." + t.Str("circuitBreaker")));
            }
        });
        Assert.NotNull(component.Value!.At("outbound.circuitBreaker"));
        Assert.NotNull(resiliency.At("spec.targets.apps")!.AsObject().Single().Value!["circuitBreaker"]);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Resiliency_TimeoutsAreFinite_AndRetriesBounded(string stack)
    {
        var resiliency = Yaml.StackValues(stack).At("dapr.resiliency")!.AsObject();

        Assert.Equal(["deliver", "invoke", "publish"], resiliency.Select(r => r.Key).Order());
        Assert.All(resiliency, kind =>
        {
            var timeout = Quantities.Duration(kind.Value.Str("timeout"));
            Assert.InRange(timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
            Assert.InRange(kind.Value!.At("retry.maxRetries")!.GetValue<long>(), 0, 10);
            Assert.InRange(Quantities.Duration(kind.Value.Str("retry.maxInterval")), TimeSpan.Zero, TimeSpan.FromMinutes(2));
        });
        Assert.NotNull(resiliency.At("invoke.circuitBreaker.consecutiveFailures"));
        Assert.NotNull(resiliency.At("publish.circuitBreaker.consecutiveFailures"));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Redis_ProcessingTimeout_OutlastsTheInboundRetryBudget(string stack)
    {
        // Redis hands a message still pending after processingTimeout to another consumer; that must not happen
        // while this sidecar is still retrying it.
        var values = Yaml.StackValues(stack);
        var deliver = values.At("dapr.resiliency.deliver")!;
        var retries = deliver.At("retry.maxRetries")!.GetValue<long>();
        var budget = (Quantities.Duration(deliver.Str("timeout")) * (retries + 1))
            + (Quantities.Duration(deliver.Str("retry.maxInterval")) * retries);

        Assert.True(Quantities.Duration(values.Str("dapr.pubsub.redis.processingTimeout")) > budget,
            $"processingTimeout must exceed {budget}");
    }

    // The two Configurations are named by the daprConfigName helper; the skeleton keeps their order in the file.
    private static JsonObject Configuration(string name)
    {
        var template = ChartTemplate.Load("dapr-configuration.yaml");
        var positions = new[] { "edge", "internal" }
            .ToDictionary(n => n, n => template.Text.IndexOf($"\"config\" \"{n}\")", StringComparison.Ordinal));
        Assert.All(positions.Values, p => Assert.True(p >= 0));
        var documents = template.Skeleton(Yaml.DefaultValues());
        Assert.Equal(2, documents.Count);
        return documents[positions.OrderBy(p => p.Value).Select(p => p.Key).ToList().IndexOf(name)];
    }

    private static JsonObject PubSub(string path) => path.Contains("/templates/", StringComparison.Ordinal)
        ? ChartTemplate.Load(Path.GetFileName(path)).Skeleton(Yaml.DefaultValues()).Single()
        : Yaml.Load(path.Split('/'))!.AsObject();
}
