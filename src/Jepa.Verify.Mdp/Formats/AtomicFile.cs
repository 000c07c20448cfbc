using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>Writes output files all-or-nothing: to a temporary file beside the target, then a rename.</summary>
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

        var full = Path.GetFullPath(path);
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
