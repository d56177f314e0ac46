using Microservices.Charts.Tests.Infrastructure;

namespace Microservices.Charts.Tests;

/// <summary>
/// The OTLP wiring of every service: the apps read the standard OTEL_* variables (libs/ServiceDefaults), so the chart
/// must set them per service and stack, from the same values the Dapr sidecars' tracing uses.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly string[] _otelVariables =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
    ];

    public static TheoryData<string> ProductionStacks() => [.. Repo.ProductionStacks];

    private static ChartTemplate Deployment => ChartTemplate.Load("deployment.yaml");

    [Fact]
    public void Deployment_EveryService_GetsTheOtelVariablesWhenACollectorIsSet()
    {
        foreach (var variable in _otelVariables)
        {
            var blocks = Deployment.EnclosingBlocks(Deployment.LineOf($"- name: {variable}"));

            Assert.Contains("range $name, $svc := .Values.services", blocks);
            Assert.Contains("if $.Values.telemetry.otlp.endpoint", blocks);
        }
    }

    [Fact]
    public void Deployment_OtelValues_ComeFromTheTelemetryValuesAndTheServicesAppId()
    {
        string ValueAfter(string variable) => Deployment.Lines[Deployment.LineOf($"- name: {variable}") + 1].Trim();

        Assert.Equal("value: {{ $.Values.telemetry.otlp.endpoint | quote }}", ValueAfter("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("value: {{ $.Values.telemetry.otlp.protocol | quote }}", ValueAfter("OTEL_EXPORTER_OTLP_PROTOCOL"));
        Assert.Equal("value: {{ $svc.appId | quote }}", ValueAfter("OTEL_SERVICE_NAME"));
        Assert.Equal("value: {{ $.Values.telemetry.samplingRatio | quote }}", ValueAfter("OTEL_TRACES_SAMPLER_ARG"));
        Assert.Contains("scim-platform.otelResourceAttributes", ValueAfter("OTEL_RESOURCE_ATTRIBUTES"), StringComparison.Ordinal);
    }

    [Fact]
    public void ResourceAttributes_NameTheStackNamespaceAndVersion()
    {
        var helpers = Repo.Read("charts", "scim-platform", "templates", "_helpers.tpl");
        var start = helpers.IndexOf("define \"scim-platform.otelResourceAttributes\"", StringComparison.Ordinal);
        var definition = helpers[start..helpers.IndexOf("{{- end }}\n", helpers.IndexOf("join \",\" $attrs", start, StringComparison.Ordinal), StringComparison.Ordinal)];

        Assert.Contains("deployment.environment.name=%s\" $root.Values.global.stack", definition, StringComparison.Ordinal);
        Assert.Contains("service.namespace=assure-scim", definition, StringComparison.Ordinal);
        Assert.Contains("service.version=", definition, StringComparison.Ordinal);
        Assert.Contains("range $key, $value := $root.Values.telemetry.resourceAttributes", definition, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProductionStacks))]
    public void ProductionStack_ExportsToACollector(string stack)
    {
        var values = Yaml.StackValues(stack);

        Assert.True(Uri.TryCreate(values.Str("telemetry.otlp.endpoint"), UriKind.Absolute, out var endpoint), stack);
        Assert.Contains(endpoint!.Scheme, new[] { "http", "https" });
        Assert.Contains(values.Str("telemetry.otlp.protocol"), new[] { "grpc", "http/protobuf" });
        var ratio = double.Parse(values.Str("telemetry.samplingRatio"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ratio, 0, 1);
    }
}
