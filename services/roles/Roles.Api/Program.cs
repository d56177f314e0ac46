using Microservices.Roles.Api;

await RolesApp.Build(args).RunAsync();
