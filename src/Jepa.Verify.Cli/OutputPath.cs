using System.CommandLine;
using Jepa.Verify.Mdp.Formats;

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
        if (path is null or "-" || AtomicFile.IsSpecial(path))
        {
            return;
        }

        try
        {
            var full = AtomicFile.Target(path);
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

    /// <summary>
    /// Refuses, before any work, an output that would overwrite an input or another output of the same run: the paths are
    /// compared as the files they name (through symbolic links, <see cref="AtomicFile.Target"/>). Standard output (<c>-</c>)
    /// and devices such as <c>/dev/null</c> may be named any number of times.
    /// </summary>
    /// <param name="inputs">Each file read, with its role, e.g. <c>("the MDP", "g.json")</c>; null paths are skipped.</param>
    /// <param name="outputs">Each file written, with its option, e.g. <c>("--output", "g.json")</c>; null paths are skipped.</param>
    /// <exception cref="UsageException">Naming the option, the path and what it would overwrite.</exception>
    public static void RefuseOverwrites(IEnumerable<(string Role, string? Path)> inputs, IEnumerable<(string Option, string? Path)> outputs)
    {
        var read = inputs.Where(i => i.Path is not null and not "-").Select(i => (i.Role, i.Path, Target: AtomicFile.Target(i.Path!))).ToList();
        var written = new List<(string Option, string Target)>();
        foreach (var (option, path) in outputs)
        {
            if (path is null or "-" || AtomicFile.IsSpecial(path))
            {
                continue;
            }

            var target = AtomicFile.Target(path);
            if (read.FirstOrDefault(i => i.Target == target) is { Role: not null } input)
            {
                throw new UsageException($"{option} {path} is {input.Role} ({input.Path}), which this run reads; writing it would overwrite the input: choose another path");
            }

            if (written.FirstOrDefault(w => w.Target == target) is { Option: not null } other)
            {
                throw new UsageException($"{option} and {other.Option} both name {path}; give each output its own file");
            }

            written.Add((option, target));
        }
    }
}
