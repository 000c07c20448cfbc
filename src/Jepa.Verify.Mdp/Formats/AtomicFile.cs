using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Writes output files all-or-nothing: to a temporary file beside the target, then a rename. A symbolic link is written
/// through to its target (the link stays); a device, FIFO or socket (<c>/dev/null</c>, <c>/dev/stdout</c>) is written in place.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text (no BOM) atomically, creating the directory if needed.</summary>
    /// <exception cref="MdpFormatException">When the target cannot be written (one line, with the path).</exception>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes bytes atomically, creating the directory if needed.</summary>
    /// <exception cref="MdpFormatException">When the target cannot be written (one line, with the path).</exception>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>
    /// Writes whatever <paramref name="write"/> puts in the stream, atomically (a temporary file beside the
    /// target, then a rename), creating the directory if needed: large outputs are streamed, never held whole.
    /// </summary>
    /// <exception cref="MdpFormatException">When the target cannot be written, or the path is empty (one line, with the path).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new MdpFormatException(new SourceLocation("(output)", 0), "the output path is empty", "give a file name");
        }

        if (IsSpecial(path))
        {
            WriteDirectly(path, write);
            return;
        }

        var full = Target(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot write the file ({ex.Message.TrimEnd('.')})", "check the directory exists and is writable");
        }
    }

    /// <summary>
    /// The file that writing <paramref name="path"/> really changes: its full path, through every symbolic link to the
    /// final target (which may not exist yet), so a link is written through, never replaced, and two names of one file
    /// compare equal.
    /// </summary>
    /// <example><c>out.json</c> → <c>/work/results/out.json</c>; a link <c>latest.json → runs/7.json</c> → <c>/work/runs/7.json</c>.</example>
    public static string Target(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var dir = Path.GetDirectoryName(full);
            if (dir is not null)
            {
                full = Path.Combine(RealDirectory(dir), Path.GetFileName(full));
            }

            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a link loop: writing will say so
        }
    }

    /// <summary>
    /// True when <paramref name="path"/> is written in place: a character device, FIFO or socket (through links), or any
    /// existing path under <c>/dev/</c> or <c>/proc/</c> (<c>/dev/stdout</c> names the process's own output, whatever it is).
    /// </summary>
    public static bool IsSpecial(string path)
    {
        var full = Path.GetFullPath(path);
        return ((full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)) && Path.Exists(full)) || FileKind.IsSpecial(full);
    }

    private static string RealDirectory(string dir)
    {
        // Resolve each ancestor that is a link, from the root down (Path.GetFullPath keeps links as they are).
        var parts = dir.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        foreach (var part in parts)
        {
            var next = Path.Combine(current, part);
            var link = Directory.ResolveLinkTarget(next, returnFinalTarget: true);
            current = link?.FullName ?? next;
        }

        return current;
    }

    /// <summary>Writes a device, FIFO or socket in place: no temporary file, no rename, which would replace the node.</summary>
    private static void WriteDirectly(string path, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            if (stream.CanSeek)
            {
                stream.Seek(0, SeekOrigin.End); // /dev/stdout redirected to a file: after what is there, as the shell's own writes go
            }

            write(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot write to the device ({ex.Message.TrimEnd('.')})", "check that it is writable");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the target was not touched.
        }
    }
}
