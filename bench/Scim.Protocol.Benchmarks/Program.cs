using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Scim.Protocol.Benchmarks -- --filter '*'
// CI smoke (seconds, numbers meaningless): add --job Dry --inProcess. See docs/performance.md.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Microservices.Scim.Benchmarks.Samples).Assembly).Run(args);

// A benchmark that throws still prints a table; the exit code is what tells CI it broke.
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
