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
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(temp, bytes);
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
