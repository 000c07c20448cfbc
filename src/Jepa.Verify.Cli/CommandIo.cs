using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli;

/// <summary>Where a command writes: standard output and error, or a file written atomically.</summary>
internal sealed class CommandIo(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Writes text to <paramref name="path"/> atomically, or to standard output when the path is null or <c>-</c>.</summary>
    public void Emit(string? path, string text)
    {
        if (path is null or "-")
        {
            Out.Write(text);
        }
        else
        {
            AtomicFile.WriteAllText(path, text);
        }
    }
}
