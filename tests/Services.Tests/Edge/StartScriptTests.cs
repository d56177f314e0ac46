using System.Diagnostics;

namespace Microservices.Services.Tests.Edge;

/// <summary>Cheap checks of the local-mode scripts; scripts/smoke-local.sh runs start.sh for real.</summary>
public sealed class StartScriptTests
{
    private static readonly string Root = FindRoot();

    [Theory]
    [InlineData("start.sh")]
    [InlineData("scripts/smoke-local.sh")]
    public async Task Script_IsValidBash(string script)
    {
        var (exitCode, _, stderr) = await RunAsync("bash", "-n", Path.Combine(Root, script));

        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task StartScript_Help_DocumentsOptionsAndEnvironment()
    {
        var (exitCode, stdout, _) = await RunAsync("bash", Path.Combine(Root, "start.sh"), "--help");

        Assert.Equal(0, exitCode);
        foreach (var word in new[] { "--no-build", "--data-dir", "--reset", "SCIM_POSTGRES", "SCIM_EDGE_PORT", "SCIM_ORGUNITS_PORT", "dev-api-key", "admin-token" })
        {
            Assert.Contains(word, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartScript_UnknownOption_FailsWithoutStartingAnything()
    {
        var (exitCode, _, stderr) = await RunAsync("bash", Path.Combine(Root, "start.sh"), "--no-such-option");

        Assert.Equal(2, exitCode);
        Assert.Contains("--no-such-option", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
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
