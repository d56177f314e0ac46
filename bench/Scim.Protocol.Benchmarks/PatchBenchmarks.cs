using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microservices.Scim.Json;
using Microservices.Scim.Patch;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Benchmarks;

/// <summary>PATCH is read-apply-write at the edge: parse and apply run once per request (more on a retry).</summary>
[MemoryDiagnoser]
public class PatchBenchmarks
{
    private readonly PatchApplier _users = new(ScimSchemas.UserResourceType);
    private readonly JsonObject _user = ScimJson.ParseObject(Samples.UserJson);
    private readonly PatchRequest _okta = PatchRequest.Parse(Samples.OktaDeactivate);
    private readonly PatchRequest _entra = PatchRequest.Parse(Samples.EntraUpdate);

    [Benchmark(Description = "apply Okta deactivate")]
    public PatchResult ApplyOkta() => _users.Apply(_user, _okta);

    [Benchmark(Description = "parse+apply Entra 5 ops")]
    public PatchResult ParseApplyEntra() => _users.Apply(_user, PatchRequest.Parse(Samples.EntraUpdate));

    [Benchmark(Description = "apply Entra 5 ops")]
    public PatchResult ApplyEntra() => _users.Apply(_user, _entra);
}

/// <summary>A group member PATCH is parsed and classified into adds/removes before one call to roles.</summary>
[MemoryDiagnoser]
public class GroupPatchBenchmarks
{
    private string _memberAdd = "";

    [Params(1, 100, 1000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup() => _memberAdd = Samples.MemberAdd(Members);

    [Benchmark(Description = "parse+classify member add")]
    public GroupPatchPlan ClassifyMembers() => GroupPatchClassifier.Classify(PatchRequest.Parse(_memberAdd));
}
