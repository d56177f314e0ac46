using System.Diagnostics;

namespace Microservices.Services.Tests.Edge;

/// <summary>Cheap checks of the local-mode scripts; scripts/smoke-local.sh runs start.sh for real.</summary>
public sealed class StartScriptTests
{
    private static readonly string _root = FindRoot();

    [Theory]
    [InlineData("start.sh")]
    [InlineData("scripts/smoke-local.sh")]
    [InlineData("bench/run.sh")]
    public async Task Script_IsValidBash(string script)
    {
        var (exitCode, _, stderr) = await RunAsync("bash", "-n", Path.Combine(_root, script));

        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task StartScript_Help_DocumentsOptionsAndEnvironment()
    {
        var (exitCode, stdout, _) = await RunAsync("bash", Path.Combine(_root, "start.sh"), "--help");

        Assert.Equal(0, exitCode);
        foreach (var word in new[] { "--no-build", "--data-dir", "--reset", "SCIM_POSTGRES", "SCIM_EDGE_PORT", "SCIM_ORGUNITS_PORT", "dev-api-key", "admin-token" })
        {
            Assert.Contains(word, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartScript_UnknownOption_FailsWithoutStartingAnything()
    {
        var (exitCode, _, stderr) = await RunAsync("bash", Path.Combine(_root, "start.sh"), "--no-such-option");

        Assert.Equal(2, exitCode);
        Assert.Contains("--no-such-option", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartScript_StartsEveryServiceWithItsSecretsInTheEnvironmentNeverInArguments()
    {
        // start.sh runs from a scratch copy with empty service dlls, and `dotnet` and `env` on PATH are recorders:
        // each writes its arguments (what `ps` would show) and the dotnet one also the token it got from its
        // environment, then sleeps (never ready), so start.sh gives up after its start timeout and stops all four.
        // No build, no real service.
        var scratch = Directory.CreateTempSubdirectory("start-sh-argv-");
        try
        {
            var root = Path.Combine(scratch.FullName, "repo");
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            File.Copy(Path.Combine(_root, "start.sh"), Path.Combine(root, "start.sh"));
            File.Copy(Path.Combine(_root, "scripts", "local-service-settings.sh"), Path.Combine(root, "scripts", "local-service-settings.sh"));
            foreach (var (folder, assembly) in new[] { ("scim-edge/ScimEdge.Api", "ScimEdge.Api"), ("users/Users.Api", "Users.Api"), ("roles/Roles.Api", "Roles.Api"), ("orgunits/OrgUnits.Api", "OrgUnits.Api") })
            {
                var bin = Path.Combine(root, "services", folder, "bin", "Release", "net10.0");
                Directory.CreateDirectory(bin);
                await File.WriteAllTextAsync(Path.Combine(bin, assembly + ".dll"), string.Empty);
            }

            var fakes = Path.Combine(scratch.FullName, "bin");
            Directory.CreateDirectory(fakes);
            var argv = Path.Combine(scratch.FullName, "argv.log");
            var received = Path.Combine(scratch.FullName, "received.log");
            var realEnv = File.Exists("/usr/bin/env") ? "/usr/bin/env" : "/bin/env";
            await WriteExecutableAsync(Path.Combine(fakes, "dotnet"), $"#!/bin/sh\nprintf 'dotnet %s\\n' \"$*\" >> '{argv}'\nprintf '%s\\n' \"${{APP_API_TOKEN:-}}\" >> '{received}'\nexec sleep 60\n");
            await WriteExecutableAsync(Path.Combine(fakes, "env"), $"#!/bin/sh\nprintf 'env %s\\n' \"$*\" >> '{argv}'\nexec {realEnv} \"$@\"\n");
            var data = Path.Combine(scratch.FullName, "data");
            var basePort = Random.Shared.Next(20_000, 31_000);

            var (exitCode, stdout, stderr) = await RunAsync(
                "bash",
                new Dictionary<string, string>
                {
                    ["PATH"] = fakes + ":" + Environment.GetEnvironmentVariable("PATH"),
                    ["SCIM_DATA_DIR"] = data,
                    ["SCIM_EDGE_PORT"] = basePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["SCIM_USERS_PORT"] = (basePort + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["SCIM_ROLES_PORT"] = (basePort + 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["SCIM_ORGUNITS_PORT"] = (basePort + 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["SCIM_START_TIMEOUT"] = "3",
                    ["SCIM_POSTGRES"] = string.Empty,
                },
                Path.Combine(root, "start.sh"),
                "--no-build");

            Assert.True(exitCode != 0, "the recorder dotnet never answers, so start.sh must report a failed start");
            Assert.Contains("did not answer /healthz/ready", stderr, StringComparison.Ordinal);
            var internalToken = await File.ReadAllTextAsync(Path.Combine(data, "internal-token"));
            var adminToken = await File.ReadAllTextAsync(Path.Combine(data, "admin-token"));
            Assert.True(internalToken.Length >= 32 && adminToken.Length >= 32, stdout + stderr);
            var lines = await File.ReadAllLinesAsync(argv);
            Assert.All(lines, l => Assert.DoesNotContain(internalToken, l, StringComparison.Ordinal));
            Assert.All(lines, l => Assert.DoesNotContain(adminToken, l, StringComparison.Ordinal));
            Assert.Equal(4, lines.Count(l => l.StartsWith("dotnet ", StringComparison.Ordinal) && l.Contains(".Api.dll", StringComparison.Ordinal)));

            // ...and the secrets still reach every service, through its environment.
            Assert.Equal(Enumerable.Repeat(internalToken, 4), await File.ReadAllLinesAsync(received));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static async Task WriteExecutableAsync(string path, string content)
    {
        await File.WriteAllTextAsync(path, content);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("start.sh and its recorders need a Unix shell");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] arguments) =>
        RunAsync(file, new Dictionary<string, string>(), arguments);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Microservices.sln) not found above " + AppContext.BaseDirectory);
    }
}
