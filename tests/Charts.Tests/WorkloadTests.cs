using System.Text.Json.Nodes;
using Microservices.Charts.Tests.Infrastructure;
using Microservices.Scim.Discovery;
using Microservices.ServiceDefaults.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microservices.Charts.Tests;

/// <summary>The Deployments and the objects around them: annotations, probes, security, exposure, scaling.</summary>
public sealed class WorkloadTests
{
    public static TheoryData<string> Stacks() => [.. Repo.AllStacks];

    public static TheoryData<string> ProductionStacks() => [.. Repo.ProductionStacks];

    private static ChartTemplate Deployment => ChartTemplate.Load("deployment.yaml");

    [Fact]
    public void Deployment_CarriesTheDaprAnnotations()
    {
        var annotations = Pod().At("metadata.annotations")!.AsObject();
        string Annotation(string key) => annotations[key]?.ToString() ?? throw new KeyNotFoundException(key);

        Assert.Equal("true", Annotation("dapr.io/enabled"));
        Assert.Equal("8080", Annotation("dapr.io/app-port"));
        Assert.Equal("true", Annotation("dapr.io/enable-app-health-check"));
        Assert.Equal("/healthz/ready", Annotation("dapr.io/app-health-check-path"));
        Assert.Equal("RuntimeDefault", Annotation("dapr.io/sidecar-seccomp-profile-type"));
        Assert.Equal("true", Annotation("dapr.io/disable-builtin-k8s-secret-store"));
        foreach (var key in new[]
        {
            "dapr.io/app-id", "dapr.io/config", "dapr.io/app-token-secret", "dapr.io/sidecar-cpu-request",
            "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit",
            "dapr.io/env", "checksum/config",
        })
        {
            Assert.True(annotations.ContainsKey(key), key);
        }

        Assert.Contains("dapr.io/app-id: {{ $svc.appId | quote }}", Deployment.Text, StringComparison.Ordinal);
        Assert.Contains("dapr.io/app-token-secret: {{ $.Values.appApiToken.existingSecret | quote }}", Deployment.Text, StringComparison.Ordinal);
        Assert.Contains("dapr.io/env: {{ printf \"GOMEMLIMIT=%s\" $svc.sidecar.goMemLimit | quote }}", Deployment.Text, StringComparison.Ordinal);
        Assert.Contains("dapr.io/sidecar-memory-limit: {{ $svc.sidecar.resources.limits.memory | quote }}", Deployment.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_ChecksumConfig_CoversTheDaprResources()
    {
        var line = Deployment.Lines[Deployment.LineOf("checksum/config:")];

        Assert.All(["dapr-configuration.yaml", "dapr-pubsub.yaml", "dapr-resiliency.yaml"],
            f => Assert.Contains("\"/" + f + "\"", line, StringComparison.Ordinal));
        Assert.All(["dapr-configuration.yaml", "dapr-pubsub.yaml", "dapr-resiliency.yaml"],
            f => Assert.True(File.Exists(Path.Combine(Repo.Templates, f))));
        Assert.EndsWith("| sha256sum }}", line.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_ProbesTheHealthEndpoints()
    {
        var app = App();

        Assert.Equal("/healthz/live", app.Str("startupProbe.httpGet.path"));
        Assert.Equal("/healthz/live", app.Str("livenessProbe.httpGet.path"));
        Assert.Equal("/healthz/ready", app.Str("readinessProbe.httpGet.path"));
        Assert.All(["startupProbe", "livenessProbe", "readinessProbe"], p => Assert.Equal("http", app.Str(p + ".httpGet.port")));
        Assert.Equal(8080, app.At("ports")!.AsArray().Single()!.At("containerPort")!.GetValue<long>());
    }

    [Fact]
    public void Deployment_PodIsHardened()
    {
        var pod = Pod();
        var app = App();

        Assert.False(pod.At("spec.automountServiceAccountToken")!.GetValue<bool>());
        Assert.Contains("{{- toYaml $.Values.podSecurityContext | nindent 8 }}", Deployment.Text, StringComparison.Ordinal);
        Assert.Contains("{{- toYaml $.Values.securityContext | nindent 12 }}", Deployment.Text, StringComparison.Ordinal);
        Assert.Equal("/tmp", app.At("volumeMounts")!.AsArray().Single()!.Str("mountPath"));
        Assert.NotNull(pod.At("spec.volumes")!.AsArray().Single()!.At("emptyDir"));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void SecurityContext_OfEveryStack_IsNonRootReadOnlyUnprivileged(string stack)
    {
        var values = Yaml.StackValues(stack);

        Assert.True(values.At("podSecurityContext.runAsNonRoot")!.GetValue<bool>());
        Assert.Equal(1654, values.At("podSecurityContext.runAsUser")!.GetValue<long>());
        Assert.Equal("RuntimeDefault", values.Str("podSecurityContext.seccompProfile.type"));
        Assert.True(values.At("securityContext.readOnlyRootFilesystem")!.GetValue<bool>());
        Assert.False(values.At("securityContext.allowPrivilegeEscalation")!.GetValue<bool>());
        Assert.Equal(["ALL"], values.At("securityContext.capabilities.drop")!.AsArray().Select(c => c!.ToString()));
    }

    [Fact]
    public void Deployment_PassesTheConfigurationTheServicesRead()
    {
        var env = App().At("env")!.AsArray().Select(e => e!.Str("name")).ToList();

        Assert.All(
            [
                "ASPNETCORE_HTTP_PORTS", "Store__Engine", "Store__ConnectionString", "APP_API_TOKEN", "Services__Mode",
                "Scim__PublicBaseUrl", "SCIM_ADMIN_TOKEN", "Events__Mode", "Events__PubSubName", "OTEL_EXPORTER_OTLP_ENDPOINT",
                "Scim__RateLimits__Replicas",
            ],
            name => Assert.Contains(name, env));
        Assert.Contains(Deployment.EnclosingBlocks(Deployment.LineOf("name: Events__Mode")), b => b == "else");
        Assert.Contains(Deployment.EnclosingBlocks(Deployment.LineOf("name: Scim__RateLimits__Replicas")), b => b == "if eq $svc.daprConfig \"edge\"");
        Assert.Contains("key: token", Deployment.Lines[Deployment.LineOf("name: APP_API_TOKEN") + 4], StringComparison.Ordinal);
        Assert.Contains("name: {{ $svc.existingSecret | quote }}", Deployment.Lines[Deployment.LineOf("name: Store__ConnectionString") + 3], StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_Replicas_AreLeftToTheAutoscalerWhenItIsOn()
    {
        Assert.Contains(Deployment.EnclosingBlocks(Deployment.LineOf("replicas: {{ $svc.replicaCount }}")),
            b => b == "if not $svc.autoscaling.enabled");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Sidecars_FollowDaprProductionSizing(string stack)
    {
        foreach (var (name, service) in Yaml.StackValues(stack).At("services")!.AsObject())
        {
            var sidecar = service!["sidecar"]!;
            Assert.Equal(100, Quantities.MilliCpu(sidecar.Str("resources.requests.cpu")));
            Assert.Equal(300, Quantities.MilliCpu(sidecar.Str("resources.limits.cpu")));
            Assert.Equal(250L << 20, Quantities.Bytes(sidecar.Str("resources.requests.memory")));
            var limit = Quantities.Bytes(sidecar.Str("resources.limits.memory"));
            Assert.Equal(1000L << 20, limit);
            var goMemLimit = Quantities.Bytes(sidecar.Str("goMemLimit"));
            Assert.True(goMemLimit >= limit * 0.85 && goMemLimit <= limit * 0.95, $"{name}: GOMEMLIMIT {goMemLimit} of {limit}");
        }
    }

    [Fact]
    public void Apps_MemoryRequestCoversTheMeasuredPeakAndTheLimitLeavesHeadroom()
    {
        // docs/performance.md: every service peaked under 250 MiB resident with 1M users in a tenant; the edge at up
        // to 273 MiB under 32 concurrent clients (workstation GC).
        foreach (var (name, service) in Yaml.DefaultValues().At("services")!.AsObject())
        {
            var request = Quantities.Bytes(service.Str("resources.requests.memory"));
            var limit = Quantities.Bytes(service.Str("resources.limits.memory"));
            Assert.True(request >= (name == "scimEdge" ? 300L << 20 : 250L << 20), $"{name}: memory request {request}");
            Assert.True(limit >= request * 3 / 2, $"{name}: memory limit {limit} leaves too little over the request {request}");
        }
    }

    [Fact]
    public void Termination_OutlastsTheSidecarsShutdown()
    {
        foreach (var stack in Repo.AllStacks)
        {
            var values = Yaml.StackValues(stack);
            var grace = TimeSpan.FromSeconds(values.At("terminationGracePeriodSeconds")!.GetValue<long>());
            foreach (var (_, service) in values.At("services")!.AsObject())
            {
                Assert.True(grace > Quantities.Duration(service.Str("sidecar.blockShutdownDuration")));
                Assert.True(grace > TimeSpan.FromSeconds(service!.At("sidecar.gracefulShutdownSeconds")!.GetValue<long>()));
            }
        }
    }

    [Fact]
    public void ScimBodyLimit_IsTheEdgesOwnDefault_AndReachesTheEdge()
    {
        var line = Deployment.LineOf("- name: Scim__Limits__MaxPayloadBytes");

        Assert.Equal(ScimServiceLimits.Default.MaxPayloadBytes, Yaml.DefaultValues().At("scim.maxPayloadBytes")!.GetValue<long>());
        Assert.Equal("value: {{ $.Values.scim.maxPayloadBytes | int64 | quote }}", Deployment.Lines[line + 1].Trim());
        Assert.Contains(Deployment.EnclosingBlocks(line), b => b == "if eq $svc.daprConfig \"edge\"");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Ingress_LetsBodiesOverTheScimLimitThrough_SoTheEdgeAnswersAndAuditsThe413(string stack)
    {
        // ingress-nginx's own default (client_max_body_size 1m) equals the edge's default limit: without a larger
        // proxy-body-size nginx answers an oversized body with its HTML 413, which the edge never sees or audits.
        const string annotation = "nginx.ingress.kubernetes.io/proxy-body-size";
        var values = Yaml.StackValues(stack);
        var limit = values.At("scim.maxPayloadBytes")!.GetValue<long>();
        var ingress = ChartTemplate.Load("ingress.yaml");
        var line = ingress.LineOf(annotation + ":");

        Assert.Equal(annotation + ": {{ mul .Values.scim.maxPayloadBytes 2 | quote }}", ingress.Lines[line].Trim());
        Assert.Contains(ingress.EnclosingBlocks(line), b => b == $"if not (hasKey .Values.ingress.annotations \"{annotation}\")");
        var bodySize = values.At("ingress.annotations")![annotation] is { } set ? NginxSize(set.ToString()) : limit * 2;
        Assert.True(bodySize > limit, $"{stack}: nginx admits {bodySize} bytes, not more than the edge's {limit}");
        Assert.True(NginxSize("1m") <= limit * 2, "the default must exceed ingress-nginx's own 1m");
    }

    [Fact]
    public void Deployment_AppSleepsInPreStop_WithTheSleepActionTheChartsKubernetesVersionHas()
    {
        var preStop = App().At("lifecycle.preStop")!.AsObject();
        var kubeVersion = Yaml.Load("charts", "scim-platform", "Chart.yaml")!.Str("kubeVersion");

        // The native sleep action: the chiseled images have no shell for `exec: sleep`.
        Assert.Equal(["sleep"], preStop.Select(p => p.Key));
        Assert.Equal(Yaml.DefaultValues().At("preStopSleepSeconds")!.GetValue<long>(), preStop.At("sleep.seconds")!.GetValue<long>());
        Assert.Contains("seconds: {{ $.Values.preStopSleepSeconds }}", Deployment.Text, StringComparison.Ordinal);
        // PodLifecycleSleepAction is beta and on by default from Kubernetes 1.30.
        var minimum = System.Text.RegularExpressions.Regex.Match(kubeVersion, @"^>=\s*1\.([0-9]+)\.");
        Assert.True(minimum.Success && int.Parse(minimum.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 30, kubeVersion);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Termination_PreStopAndTheAppsShutdown_FitTheGracePeriod_AndTheSidecarOutlastsThem(string stack)
    {
        var values = Yaml.StackValues(stack);
        var preStop = TimeSpan.FromSeconds(values.At("preStopSleepSeconds")!.GetValue<long>());
        var grace = TimeSpan.FromSeconds(values.At("terminationGracePeriodSeconds")!.GetValue<long>());
        var appShutdown = AppShutdownTimeout();

        // Long enough for the endpoint removal to propagate, short enough not to stall a rollout.
        Assert.InRange(preStop, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.True(grace > preStop + appShutdown, $"{stack}: grace {grace} <= preStop {preStop} + app shutdown {appShutdown}");
        foreach (var (name, service) in values.At("services")!.AsObject())
        {
            // The sidecar keeps serving the app's calls and publishes until the app has drained.
            var block = Quantities.Duration(service.Str("sidecar.blockShutdownDuration"));
            Assert.True(block >= preStop + appShutdown, $"{stack} {name}: block-shutdown {block} < preStop {preStop} + app shutdown {appShutdown}");
        }
    }

    [Fact]
    public void OnlyScimEdge_HasAKubernetesService()
    {
        var withServices = ChartTemplate.All()
            .Where(t => t.FileName.EndsWith(".yaml", StringComparison.Ordinal))
            .Where(t => t.Skeleton(Yaml.DefaultValues()).Any(d => d.Str("kind") == "Service"))
            .Select(t => t.FileName)
            .ToList();
        var service = ChartTemplate.Load("service.yaml");

        Assert.Equal(["service.yaml"], withServices);
        Assert.Contains("$edge := .Values.services.scimEdge", service.Text, StringComparison.Ordinal);
        Assert.Equal("http", service.Skeleton(Yaml.DefaultValues()).Single().At("spec.ports")!.AsArray().Single()!.Str("targetPort"));
    }

    [Fact]
    public void NetworkPolicy_AdmitsTheIngressToTheEdge_AndOnlyTheEdgeToTheSidecarPort()
    {
        var policy = ChartTemplate.Load("networkpolicy.yaml");
        var skeleton = policy.Skeleton(Yaml.DefaultValues()).Single();
        var ingress = skeleton.At("spec.ingress")!.AsArray();

        Assert.Equal(["Ingress", "Egress"], skeleton.At("spec.policyTypes")!.AsArray().Select(p => p!.ToString()));
        Assert.Equal("http", ingress[0]!.At("ports")!.AsArray().Single()!.Str("port"));
        Assert.Contains(policy.EnclosingBlocks(policy.LineOf("- port: http")), b => b == "if eq $svc.daprConfig \"edge\"");
        Assert.Equal("50002", ingress[1]!.At("ports")!.AsArray().Single()!.Str("port"));
        Assert.True(ingress[1]!.At("from")!.AsArray().Single()!.At("podSelector")!.AsObject().ContainsKey("matchLabels"));
        Assert.Contains("(dict \"root\" $ \"svc\" $edge)", policy.Lines[policy.LineOf("port: 50002") - 2], StringComparison.Ordinal);
        Assert.Equal("ingress-nginx",
            Yaml.DefaultValues().At("networkPolicy.ingressController.namespaceSelector.matchLabels")!["kubernetes.io/metadata.name"]!.ToString());
    }

    [Fact]
    public void Autoscaler_ScalesTheEdgeOnItsAppContainerCpu()
    {
        var hpa = ChartTemplate.Load("hpa.yaml").Skeleton(Yaml.DefaultValues()).Single();
        var metric = hpa.At("spec.metrics")!.AsArray().Single()!;

        Assert.Equal("ContainerResource", metric.Str("type"));
        Assert.Equal("app", metric.Str("containerResource.container"));
        Assert.Equal("app", App().Str("name"));
        Assert.All(Repo.ProductionStacks, s => Assert.True(Yaml.StackValues(s).At("services.scimEdge.autoscaling.enabled")!.GetValue<bool>()));
    }

    [Fact]
    public void DisruptionBudget_And_ServiceAccount_ExistPerService()
    {
        var pdb = ChartTemplate.Load("pdb.yaml");
        var account = ChartTemplate.Load("serviceaccount.yaml");

        Assert.Equal("PodDisruptionBudget", pdb.Skeleton(Yaml.DefaultValues()).Single().Str("kind"));
        Assert.False(account.Skeleton(Yaml.DefaultValues()).Single().At("automountServiceAccountToken")!.GetValue<bool>());
        Assert.Contains(pdb.EnclosingBlocks(pdb.LineOf("kind: PodDisruptionBudget")), b => b == "range $name, $svc := .Values.services");
        Assert.Contains(account.EnclosingBlocks(account.LineOf("kind: ServiceAccount")), b => b == "range $name, $svc := .Values.services");
    }

    // The app's drain on SIGTERM, as every service host configures it (libs/ServiceDefaults).
    private static TimeSpan AppShutdownTimeout()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        builder.AddServiceDefaults("charts-tests");
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    // nginx sizes: bytes, or k / m / g (binary multiples), as client_max_body_size reads them.
    private static long NginxSize(string size)
    {
        var match = System.Text.RegularExpressions.Regex.Match(size, "^([0-9]+)([kKmMgG]?)$");
        Assert.True(match.Success, $"'{size}' is not an nginx size");
        var number = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToUpperInvariant() switch
        {
            "K" => number << 10,
            "M" => number << 20,
            "G" => number << 30,
            _ => number,
        };
    }

    private static JsonObject Pod() => Deployment.Skeleton(Yaml.DefaultValues()).Single().At("spec.template")!.AsObject();

    private static JsonObject App() => Pod().At("spec.containers")!.AsArray().Single()!.AsObject();
}
