using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microservices.Charts.Tests.Infrastructure;

namespace Microservices.Charts.Tests;

/// <summary>Images, tilt.yaml and the Tiltfile, the kind manifests and the Dapr multi-app run file.</summary>
public sealed partial class LocalDevelopmentTests
{
    private static readonly Dictionary<string, string> _projects = new()
    {
        ["scimEdge"] = "services/scim-edge/ScimEdge.Api/ScimEdge.Api.csproj",
        ["users"] = "services/users/Users.Api/Users.Api.csproj",
        ["roles"] = "services/roles/Roles.Api/Roles.Api.csproj",
        ["orgunits"] = "services/orgunits/OrgUnits.Api/OrgUnits.Api.csproj",
    };

    public static TheoryData<string> Services() => [.. _projects.Keys];

    [Theory]
    [MemberData(nameof(Services))]
    public void ServiceProject_PublishesTheImageTheChartDeploys(string service)
    {
        var properties = XDocument.Load(Repo.File(_projects[service].Split('/'))).Descendants("PropertyGroup")
            .SelectMany(g => g.Elements()).ToDictionary(e => e.Name.LocalName, e => e.Value);
        var values = Yaml.DefaultValues().At("services." + service)!;

        Assert.Equal(values.Str("image.repository"), properties["ContainerRepository"]);
        Assert.Equal("$(Version)", properties["ContainerImageTag"]);
        Assert.Matches("^mcr\\.microsoft\\.com/dotnet/aspnet:10\\.0-[a-z]+-chiseled(-extra)?$", properties["ContainerBaseImage"]);
        Assert.Equal(Yaml.DefaultValues().Str("podSecurityContext.runAsUser"), properties["ContainerUser"]);
    }

    [Fact]
    public void ChartAppVersion_IsTheVersionTheImagesAreTaggedWith()
    {
        var version = XDocument.Load(Repo.File("Directory.Build.props")).Descendants("Version").Single().Value;
        var chart = Yaml.Load("charts", "scim-platform", "Chart.yaml")!;

        Assert.Equal(version, chart.Str("appVersion"));
        Assert.Contains("| default $root.Chart.AppVersion", Repo.Read("charts", "scim-platform", "templates", "_helpers.tpl"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, Yaml.DefaultValues().Str("global.image.tag"));
    }

    [Fact]
    public void PublishScript_PublishesEveryServiceInRelease()
    {
        var script = Repo.Read("scripts", "publish.sh");

        Assert.Contains("dotnet publish \"$project\" -c Release", script, StringComparison.Ordinal);
        Assert.All(_projects.Values, p => Assert.Contains(p, script, StringComparison.Ordinal));
    }

    [Fact]
    public void TiltYaml_IsACtlptlRegistryAndCluster()
    {
        var documents = Yaml.ParseStream(Repo.Read("tilt.yaml")).Cast<JsonObject>().ToList();
        var registry = Assert.Single(documents, d => d.Str("kind") == "Registry");
        var cluster = Assert.Single(documents, d => d.Str("kind") == "Cluster");

        Assert.Equal(2, documents.Count);
        Assert.All(documents, d => Assert.Equal("ctlptl.dev/v1alpha1", d.Str("apiVersion")));
        Assert.Equal("kind", cluster.Str("product"));
        Assert.Equal(registry.Str("name"), cluster.Str("registry"));
        Assert.InRange(registry.At("port")!.GetValue<long>(), 1024, 65535);
        // ctlptl names a kind cluster's kube context "kind-<name>".
        Assert.Equal("kind-" + cluster.Str("kindV1Alpha4Cluster.name"), cluster.Str("name"));
        Assert.Matches("^v1\\.[0-9]+\\.[0-9]+$", cluster.Str("kubernetesVersion"));
    }

    [Fact]
    public void Tiltfile_UsesTheClusterOfTiltYaml_AndDeploysTheChartWithDevValues()
    {
        var tiltfile = Repo.Read("Tiltfile");
        var chart = Assignment(tiltfile, "CHART");

        Assert.Contains("read_yaml_stream('tilt.yaml')", tiltfile, StringComparison.Ordinal);
        Assert.Contains("KUBE_CONTEXT = CLUSTER['name']", tiltfile, StringComparison.Ordinal);
        Assert.Contains("allow_k8s_contexts(KUBE_CONTEXT)", tiltfile, StringComparison.Ordinal);
        Assert.Equal("charts/scim-platform", chart);
        Assert.True(File.Exists(Repo.File(chart, "Chart.yaml")));
        Assert.Contains("DEV_VALUES = CHART + '/values-dev.yaml'", tiltfile, StringComparison.Ordinal);
        Assert.Contains("helm(CHART, name=RELEASE, namespace=NAMESPACE, values=[DEV_VALUES])", tiltfile, StringComparison.Ordinal);
        Assert.Equal(Namespace(), Assignment(tiltfile, "NAMESPACE"));
    }

    [Fact]
    public void Tiltfile_InstallsDaprFirst_AndBuildsWithTheSdkContainerTarget()
    {
        var tiltfile = Repo.Read("Tiltfile");

        Assert.Contains("helm_resource(\n    'dapr',\n    'dapr-charts/dapr',", tiltfile, StringComparison.Ordinal);
        Assert.Contains("helm_repo('dapr-charts', 'https://dapr.github.io/helm-charts/'", tiltfile, StringComparison.Ordinal);
        Assert.Contains("APP_DEPS = ['dapr', 'dapr-resources', 'chart-objects', 'dev-namespace', 'postgres', 'redis']", tiltfile, StringComparison.Ordinal);
        Assert.Contains("resource_deps=APP_DEPS", tiltfile, StringComparison.Ordinal);
        Assert.Contains("/t:PublishContainer", tiltfile, StringComparison.Ordinal);
        Assert.Contains("SERVICES = read_yaml(CHART + '/values.yaml')['services']", tiltfile, StringComparison.Ordinal);
        foreach (var (service, project) in _projects)
        {
            Assert.Contains($"'{service}': '{project}'", tiltfile, StringComparison.Ordinal);
            Assert.True(File.Exists(Repo.File(project.Split('/'))), project);
        }
    }

    [Fact]
    public void Tiltfile_EveryResourceInTheDevNamespace_WaitsForTheNamespace()
    {
        // Tilt applies resources in parallel and does not order them by namespace: on a first `tilt up` anything
        // applied before the namespace exists fails. Every k8s_resource here lives in the dev namespace.
        var tiltfile = Repo.Read("Tiltfile");
        var resources = TiltResources(tiltfile);

        Assert.Contains("dev-namespace", resources.Keys);
        Assert.Contains($"'{Namespace()}:namespace'", tiltfile, StringComparison.Ordinal);
        Assert.Superset(new HashSet<string> { "postgres", "redis", "dapr-resources", "chart-objects", "app_id" }, resources.Keys.ToHashSet());
        Assert.All(resources.Where(r => r.Key != "dev-namespace"), r =>
            Assert.True(r.Value.Contains("dev-namespace"), $"{r.Key} does not wait for dev-namespace: [{string.Join(", ", r.Value)}]"));
        // The chart's objects that are neither Dapr resources, Deployments nor Services (which Tilt groups with the
        // Deployment they select) go to chart-objects, which the apps wait for (their ServiceAccounts are in it).
        Assert.Contains("    elif kind != 'Service':\n        chart_objects.append('%s:%s' % (name, kind.lower()))", tiltfile, StringComparison.Ordinal);
        Assert.Contains("chart-objects", resources["app_id"]);
    }

    [Fact]
    public void KindManifests_ProvideEverySecretTheDevValuesName()
    {
        var values = Yaml.StackValues("dev");
        var secrets = LocalManifests().Where(d => d.Str("kind") == "Secret")
            .ToDictionary(d => d.Str("metadata.name"), d => d.At("stringData")!.AsObject());
        var needed = values.At("services")!.AsObject()
            .Select(s => (Name: s.Value.Str("existingSecret"), Key: s.Value.Str("existingSecretKey")))
            .Append((Name: values.Str("appApiToken.existingSecret"), Key: "token"))
            .Append((Name: values.Str("admin.existingSecret"), Key: values.Str("admin.existingSecretKey")))
            .Append((Name: values.Str("dapr.pubsub.redis.passwordSecret.name"), Key: values.Str("dapr.pubsub.redis.passwordSecret.key")));

        Assert.All(needed, n => Assert.True(secrets.TryGetValue(n.Name, out var data) && data.ContainsKey(n.Key), $"{n.Name}/{n.Key}"));
        Assert.All(LocalManifests().Where(d => d.Str("kind") != "Namespace"), d => Assert.Equal(Namespace(), d.Str("metadata.namespace")));
        // The apps refuse internal tokens shorter than 16 characters.
        Assert.True(secrets[values.Str("appApiToken.existingSecret")].Str("token").Length >= 16);
    }

    [Fact]
    public void KindManifests_ServeTheDatabasesAndBrokerTheDevValuesConnectTo()
    {
        var manifests = LocalManifests().ToList();
        var services = manifests.Where(d => d.Str("kind") == "Service").Select(d => d.Str("metadata.name")).ToList();
        var initSql = manifests.Single(d => d.Str("kind") == "ConfigMap").At("data")!["init.sql"]!.ToString();
        var connectionStrings = manifests.Where(d => d.Str("kind") == "Secret" && d.Str("metadata.name").EndsWith("-db", StringComparison.Ordinal))
            .Select(d => d.Str("stringData.connection-string")).ToList();

        Assert.Equal(4, connectionStrings.Count);
        Assert.All(connectionStrings, c =>
        {
            Assert.Contains("Host=postgres;", c, StringComparison.Ordinal);
            Assert.Contains($"CREATE DATABASE {DatabaseOf(c)} ", initSql, StringComparison.Ordinal);
        });
        Assert.Contains("postgres", services);
        Assert.Equal(Yaml.StackValues("dev").Str("dapr.pubsub.redis.host"), services.Single(s => s == "redis") + ":6379");
    }

    [Fact]
    public void DaprRunFile_StartsTheFourServicesOnTheirLocalPorts()
    {
        var run = Yaml.Load("dapr.yaml")!;
        var apps = run.At("apps")!.AsArray().Select(a => a!.AsObject()).ToList();

        Assert.Equal(1, run.At("version")!.GetValue<long>());
        Assert.Equal(["orgunits", "roles", "scim-edge", "users"], apps.Select(a => a.Str("appID")).Order());
        Assert.True(Directory.Exists(Repo.File(run.Str("common.resourcesPath").Split('/'))));
        Assert.All(apps, app =>
        {
            var launch = Yaml.Parse(File.ReadAllText(Repo.File([.. app.Str("appDirPath").Split('/'), "Properties", "launchSettings.json"])))!;
            Assert.EndsWith(":" + app.Str("appPort"), launch.Str("profiles.local.applicationUrl"), StringComparison.Ordinal);
            Assert.Equal("local", app.At("command")!.AsArray().Last()!.ToString());
        });
        Assert.Equal(4, apps.Select(a => a.Str("daprHTTPPort")).Distinct().Count());
    }

    private static IEnumerable<JsonObject> LocalManifests() =>
        Directory.GetFiles(Repo.File("charts", "local", "kind"), "*.yaml")
            .SelectMany(f => Yaml.ParseStream(File.ReadAllText(f))).OfType<JsonObject>();

    private static string Namespace() =>
        LocalManifests().Single(d => d.Str("kind") == "Namespace").Str("metadata.name");

    /// <summary>
    /// The k8s_resource calls of a Tiltfile: the resource's name (its new_name, else its first argument, as a string
    /// literal or, for a call in a loop, the expression) and its resource_deps (a list literal, or a NAME = [...] the
    /// file assigns).
    /// </summary>
    private static Dictionary<string, List<string>> TiltResources(string starlark)
    {
        var resources = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var index = 0;
        while ((index = starlark.IndexOf("k8s_resource(", index, StringComparison.Ordinal)) >= 0)
        {
            var open = index + "k8s_resource".Length;
            var depth = 0;
            var close = open;
            for (; close < starlark.Length; close++)
            {
                depth += starlark[close] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
                if (depth == 0)
                {
                    break;
                }
            }

            var call = starlark[(open + 1)..close];
            var named = Regex.Match(call, @"new_name=(?:'([^']*)'|([A-Za-z_]\w*))");
            var first = Regex.Match(call, @"^\s*(?:'([^']*)'|([^,]+))");
            var name = named.Success
                ? (named.Groups[1].Success ? named.Groups[1].Value : named.Groups[2].Value)
                : (first.Groups[1].Success ? first.Groups[1].Value : first.Groups[2].Value.Trim());
            var deps = "[]";
            if (Regex.Match(call, @"resource_deps=(\[[^\]]*\]|[A-Za-z_]\w*)") is { Success: true } found)
            {
                deps = found.Groups[1].Value.StartsWith('[')
                    ? found.Groups[1].Value
                    : Regex.Match(starlark, "^" + found.Groups[1].Value + @" = (\[[^\]]*\])", RegexOptions.Multiline).Groups[1].Value;
            }

            resources[name] = [.. Regex.Matches(deps, "'([^']*)'").Select(m => m.Groups[1].Value)];
            index = close;
        }

        return resources;
    }

    private static string Assignment(string starlark, string name) =>
        Regex.Match(starlark, "^" + name + " = '([^']*)'$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value
            : throw new KeyNotFoundException(name);

    private static string DatabaseOf(string connectionString) => DatabasePattern().Match(connectionString).Groups[1].Value;

    [GeneratedRegex("Database=([a-z_]+);")]
    private static partial Regex DatabasePattern();
}
