namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>Paths of the repository the tests run in, found from the test assembly's folder.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Chart { get; } = Path.Combine(Root, "charts", "scim-platform");

    public static string Templates { get; } = Path.Combine(Chart, "templates");

    /// <summary>The regional stacks and their values files; `dev` is the kind cluster.</summary>
    public static IReadOnlyList<string> ProductionStacks { get; } = ["uk", "uk2", "na", "anz"];

    public static IReadOnlyList<string> AllStacks { get; } = [.. ProductionStacks, "dev"];

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => System.IO.File.ReadAllText(File(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}
