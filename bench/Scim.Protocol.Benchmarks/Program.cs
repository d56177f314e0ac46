using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Scim.Protocol.Benchmarks -- --filter '*'
// CI smoke (seconds, numbers meaningless): add --job Dry --inProcess. See docs/performance.md.
BenchmarkSwitcher.FromAssembly(typeof(Microservices.Scim.Benchmarks.Samples).Assembly).Run(args);
