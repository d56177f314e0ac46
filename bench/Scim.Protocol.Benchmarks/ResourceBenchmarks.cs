using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Benchmarks;

/// <summary>What every POST/PUT and every response pays: parse, validate, project, serialise.</summary>
[MemoryDiagnoser]
public class ResourceBenchmarks
{
    private readonly byte[] _utf8 = System.Text.Encoding.UTF8.GetBytes(Samples.UserJson);
    private readonly JsonObject _user = ScimJson.ParseObject(Samples.UserJson);
    private readonly AttributeSelection _excludeGroups = AttributeSelection.Parse(ScimSchemas.UserResourceType, null, "groups,emails");
    private readonly AttributeSelection _onlyUserName = AttributeSelection.Parse(ScimSchemas.UserResourceType, "userName,active", null);

    [Benchmark(Description = "parse user")]
    public JsonObject Parse() => ScimJson.ParseObject(_utf8);

    [Benchmark(Description = "validate user")]
    public JsonObject Validate() => ScimResourceValidator.Validate(_user, ScimSchemas.UserResourceType);

    [Benchmark(Description = "serialise user")]
    public byte[] Serialise() => JsonSerializer.SerializeToUtf8Bytes(_user, ScimJson.SerializerOptions);

    [Benchmark(Description = "project excludedAttributes")]
    public JsonObject ProjectExcluded() => _excludeGroups.Apply(_user);

    [Benchmark(Description = "project attributes")]
    public JsonObject ProjectAttributes() => _onlyUserName.Apply(_user);
}
