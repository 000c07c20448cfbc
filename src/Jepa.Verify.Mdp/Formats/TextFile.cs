using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>Reads input files with the checks every reader needs: existence, size, and text-ness.</summary>
public static class TextFile
{
    /// <summary>Files larger than this are refused rather than read into memory (1 GiB).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>
    /// The largest input read into memory on this machine: <see cref="MaxBytes"/>, or a quarter of the
    /// memory available to the process when that is less (parsing needs several times the file's size).
    /// </summary>
    public static long ReadLimit => Math.Min(MaxBytes, Math.Max(1L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4));

    /// <summary>The one-line problem for a file of <paramref name="length"/> bytes, or null when it may be read.</summary>
    public static string? SizeProblem(long length)
    {
        var limit = ReadLimit;
        return length > limit
            ? $"the file is {length / (1 << 20)} MiB, more than the {limit / (1 << 20)} MiB this tool reads into memory here (1 GiB, or a quarter of the available memory)"
            : null;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a file's bytes, failing with a one-line message when it cannot be read.</summary>
    /// <exception cref="MdpFormatException">Missing file, a directory, too large, or unreadable.</exception>
    public static byte[] ReadBytes(string path)
    {
        RequireFile(path);
        var where = new SourceLocation(path, 0);
        try
        {
            if (SizeProblem(new FileInfo(path).Length) is { } problem)
            {
                throw new MdpFormatException(where, problem, "split the data or use a smaller sample");
            }

            return File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new MdpFormatException(where, $"cannot read the file ({ex.Message.TrimEnd('.')})", "check that it exists and is readable");
        }
        catch (UnauthorizedAccessException)
        {
            throw new MdpFormatException(where, "permission denied", "make the file readable");
        }
    }

    /// <summary>Opens a file for one sequential read, with the checks of <see cref="ReadBytes"/> (existence, size).</summary>
    /// <exception cref="MdpFormatException">Missing file, a directory, too large, or unreadable.</exception>
    public static FileStream OpenRead(string path)
    {
        RequireFile(path);
        var where = new SourceLocation(path, 0);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            if (SizeProblem(stream.Length) is { } problem)
            {
                stream.Dispose();
                throw new MdpFormatException(where, problem, "split the data or use a smaller sample");
            }

            return stream;
        }
        catch (IOException ex)
        {
            throw new MdpFormatException(where, $"cannot read the file ({ex.Message.TrimEnd('.')})", "check that it exists and is readable");
        }
        catch (UnauthorizedAccessException)
        {
            throw new MdpFormatException(where, "permission denied", "make the file readable");
        }
    }

    /// <summary>Fails with a one-line message unless <paramref name="path"/> names an existing file.</summary>
    /// <exception cref="MdpFormatException">For a directory or a missing file.</exception>
    public static void RequireFile(string path)
    {
        var where = new SourceLocation(path, 0);
        if (Directory.Exists(path))
        {
            throw new MdpFormatException(where, "is a directory, not a file", "name a file");
        }

        if (!File.Exists(path))
        {
            throw new MdpFormatException(where, "file not found", "check the path");
        }
    }

    /// <summary>Decodes bytes as UTF-8 text and splits them into lines (1-based numbers implied by position).</summary>
    /// <exception cref="MdpFormatException">When the bytes hold NUL characters or invalid UTF-8 (a binary file).</exception>
    public static string[] Lines(string path, byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw new MdpFormatException(new SourceLocation(path, 1), "the file is UTF-16 text", "save it as UTF-8");
        }

        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            throw new MdpFormatException(new SourceLocation(path, LineOf(bytes, nul)), "the file holds a NUL byte: it is binary, or UTF-16 without a byte order mark", "give a UTF-8 text file");
        }

        string text;
        try
        {
            var span = bytes.AsSpan();
            if (span.StartsWith(Encoding.UTF8.Preamble))
            {
                span = span[3..];
            }

            text = StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException ex)
        {
            var line = ex.Index >= 0 ? LineOf(bytes, ex.Index) : 0;
            throw new MdpFormatException(new SourceLocation(path, line), "the file is not valid UTF-8 text", "save it as UTF-8");
        }

        return text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static int LineOf(byte[] bytes, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }

        return line;
    }
}
