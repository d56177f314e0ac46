using Microservices.OrgUnits.Api;

await OrgUnitsApp.Build(args).RunAsync();
