using Microservices.ScimEdge.Api;

await ScimEdgeApp.Build(args).RunAsync();
