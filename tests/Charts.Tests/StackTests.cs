using System.Text.Json.Nodes;
using Microservices.Charts.Tests.Infrastructure;

namespace Microservices.Charts.Tests;

/// <summary>What each stack serves at: its own host, the SCIM base path, and meta.location behind the ingress.</summary>
public sealed class StackTests
{
    public static TheoryData<string> ProductionStacks() => [.. Repo.ProductionStacks];

    [Theory]
    [MemberData(nameof(ProductionStacks))]
    public void StackFile_YieldsItsOwnHostAndBasePath(string stack)
    {
        var values = Yaml.StackValues(stack);

        Assert.Equal($"scim.{stack}.sheassure.net", Host(values));
        Assert.Equal("/v1/scim", values.Str("scim.basePath"));
        Assert.Equal($"https://scim.{stack}.sheassure.net/v1/scim", PublicBaseUrl(values));
        Assert.True(values.At("ingress.enabled")!.GetValue<bool>());
        Assert.True(values.At("ingress.tls.enabled")!.GetValue<bool>());
    }

    [Fact]
    public void ProductionStacks_HaveDistinctHosts()
    {
        var hosts = Repo.ProductionStacks.Select(s => Host(Yaml.StackValues(s))).ToList();

        Assert.Equal(hosts.Count, hosts.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void DevValues_PointMetaLocationAtThePortForward()
    {
        var values = Yaml.StackValues("dev");

        Assert.Equal("http://localhost:8080/v1/scim", PublicBaseUrl(values));
        Assert.False(values.At("ingress.enabled")!.GetValue<bool>());
        Assert.Contains("'8080:8080'", Repo.Read("Tiltfile"), StringComparison.Ordinal);
    }

    [Fact]
    public void HostHelper_DerivesTheHostFromStackAndDomain()
    {
        // The C# mirror used above is only as good as the helper it mirrors.
        var helpers = Repo.Read("charts", "scim-platform", "templates", "_helpers.tpl");

        Assert.Contains("printf \"scim.%s.%s\" .Values.global.stack .Values.global.domain", helpers, StringComparison.Ordinal);
        Assert.Contains("printf \"https://%s%s\" (include \"scim-platform.host\" .) .Values.scim.basePath", helpers, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingress_RoutesTheScimBasePathOnTheStackHost_WithTls()
    {
        var ingress = ChartTemplate.Load("ingress.yaml");
        var document = ingress.Skeleton(Yaml.StackValues("uk")).Single();
        var paths = document.At("spec.rules")!.AsArray().Single()!.At("http.paths")!.AsArray();

        Assert.Equal("Ingress", document.Str("kind"));
        Assert.Equal("/v1/scim", paths[0]!.Str("path"));
        Assert.Equal("Prefix", paths[0]!.Str("pathType"));
        Assert.Equal("http", paths[0]!.Str("backend.service.port.name"));
        Assert.Contains("$host := include \"scim-platform.host\" .", ingress.Text, StringComparison.Ordinal);
        Assert.Contains("- host: {{ $host | quote }}", ingress.Text, StringComparison.Ordinal);
        Assert.Contains("{{ .Values.ingress.tls.issuerAnnotation }}: {{ .Values.ingress.tls.issuer | quote }}", ingress.Text, StringComparison.Ordinal);
        Assert.Contains(ingress.EnclosingBlocks(ingress.LineOf("tls:")), b => b == "if .Values.ingress.tls.enabled");
    }

    [Fact]
    public void Ingress_AdminApi_IsRoutedOnlyWhenAValueEnablesIt()
    {
        var ingress = ChartTemplate.Load("ingress.yaml");

        Assert.Contains(ingress.EnclosingBlocks(ingress.LineOf(".Values.admin.path")), b => b == "if .Values.admin.exposeOnIngress");
        Assert.False(Yaml.DefaultValues().At("admin.exposeOnIngress")!.GetValue<bool>());
        Assert.All(Repo.AllStacks, s => Assert.False(Yaml.StackValues(s).At("admin.exposeOnIngress")!.GetValue<bool>()));
        Assert.Equal("/admin/v1", Yaml.DefaultValues().Str("admin.path"));
    }

    [Fact]
    public void Edge_GetsItsPublicBaseUrlFromTheHelper()
    {
        var deployment = ChartTemplate.Load("deployment.yaml");
        var line = deployment.LineOf("value: {{ include \"scim-platform.publicBaseUrl\" $ | quote }}");

        Assert.Contains("Scim__PublicBaseUrl", deployment.Lines[line - 1], StringComparison.Ordinal);
        Assert.Contains(deployment.EnclosingBlocks(line), b => b == "if eq $svc.daprConfig \"edge\"");
    }

    [Fact]
    public void Notes_PrintTheScimUrl()
    {
        Assert.Contains("{{ include \"scim-platform.publicBaseUrl\" . }}", ChartTemplate.Load("NOTES.txt").Text, StringComparison.Ordinal);
    }

    // Mirrors the scim-platform.host and scim-platform.publicBaseUrl helpers (checked above).
    private static string Host(JsonObject values) => values.Str("scim.host") is { Length: > 0 } host
        ? host
        : $"scim.{values.Str("global.stack")}.{values.Str("global.domain")}";

    private static string PublicBaseUrl(JsonObject values) => values.Str("scim.publicBaseUrl") is { Length: > 0 } url
        ? url
        : $"https://{Host(values)}{values.Str("scim.basePath")}";
}
