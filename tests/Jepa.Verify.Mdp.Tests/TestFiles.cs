namespace Jepa.Verify.Mdp.Tests;

/// <summary>Paths into the repository, and throw-away files for malformed-input tests.</summary>
public static class TestFiles
{
    /// <summary>The repository root (the folder holding Jepa.Verify.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A file under <c>examples/</c>.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>Writes <paramref name="content"/> to a fresh temporary file with the given name and returns its path.</summary>
    public static string Write(string name, string content) => WriteBytes(name, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>Writes bytes to a fresh temporary file with the given name and returns its path.</summary>
    public static string WriteBytes(string name, byte[] content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Jepa.Verify.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Jepa.Verify.sln not found above the test binaries");
    }
}
