using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli;

/// <summary>Where a command writes: standard output and error, or a file written atomically.</summary>
internal sealed class CommandIo(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>
    /// Writes a text report to standard output with every control character inside a line made visible
    /// (<see cref="Mdp.OneLine.Escape"/>): ids from a file (<c>"a\rb"</c>) can neither break a line nor drive the terminal.
    /// </summary>
    public void WriteText(string text) => Out.Write(string.Join('\n', text.Split('\n').Select(Mdp.OneLine.Escape)));

    /// <summary>Streams to <paramref name="path"/> atomically, or to standard output when the path is null or <c>-</c>.</summary>
    public void Emit(string? path, Action<Stream> write)
    {
        if (path is null or "-")
        {
            using var stream = TextWriterStream.Over(Out);
            write(stream);
        }
        else
        {
            AtomicFile.Write(path, write);
        }
    }

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
