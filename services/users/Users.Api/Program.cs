using Microservices.Users.Api;

await UsersApp.Build(args).RunAsync();
