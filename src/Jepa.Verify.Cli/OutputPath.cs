using System.CommandLine;

namespace Jepa.Verify.Cli;

/// <summary>Checks on options that name an output file or directory: never empty, and writable before the work starts.</summary>
internal static class OutputPath
{
    /// <summary>
    /// Makes the parser refuse an empty or blank value (exit 2, with the option's name), e.g. <c>--junit ""</c>,
    /// which would otherwise name the current directory.
    /// </summary>
    public static Option<T> NonEmpty<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (string.IsNullOrWhiteSpace(token.Value))
                {
                    result.AddError($"{option.Name} was given an empty path; give a file or directory name");
                }
            }
        });
        return option;
    }

    /// <summary>
    /// Fails now, before any long work, when <paramref name="path"/> cannot be written: its directory cannot be
    /// created or a file cannot be made there. Nothing is left behind.
    /// </summary>
    /// <exception cref="UsageException">Naming the option, the path and the reason.</exception>
    public static void EnsureWritable(string option, string? path)
    {
        if (path is null or "-")
        {
            return;
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                throw new UsageException($"{option} {path} is a directory; give a file name");
            }

            var dir = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{option}: cannot write {path} ({ex.Message.TrimEnd('.')}); choose a writable path");
        }
    }

    /// <summary>Creates the output directory <paramref name="dir"/>, or fails in one line before any long work when it cannot be used.</summary>
    /// <exception cref="UsageException">Naming the option, the directory and the reason.</exception>
    public static void EnsureDirectory(string option, string dir)
    {
        if (File.Exists(dir))
        {
            throw new UsageException($"{option} {dir}: is a file; name a directory");
        }

        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{option} {dir}: cannot create the directory ({ex.Message.TrimEnd('.')}); choose a writable path");
        }
    }
}
