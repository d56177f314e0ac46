using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microservices.Scim.Filters;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Benchmarks;

/// <summary>Filter parsing runs on every list request; evaluation runs in PATCH value paths.</summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private readonly FilterEvaluator _evaluator = FilterEvaluator.For(ScimSchemas.UserResourceType);
    private readonly JsonObject _user = ScimJson.ParseObject(Samples.UserJson);
    private readonly Filter _complex = FilterParser.Parse(Samples.ComplexFilter);

    [Benchmark(Description = "parse userName eq")]
    public Filter ParseEq() => FilterParser.Parse(Samples.EqFilter);

    [Benchmark(Description = "parse complex")]
    public Filter ParseComplex() => FilterParser.Parse(Samples.ComplexFilter);

    [Benchmark(Description = "print complex")]
    public string PrintComplex() => FilterPrinter.Print(_complex);

    [Benchmark(Description = "evaluate complex")]
    public bool EvaluateComplex() => _evaluator.Matches(_complex, _user);
}
