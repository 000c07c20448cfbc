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

    /// <summary>Reads a file's bytes, failing with a one-line message when it cannot be read; UTF-16 with a byte order mark comes back as UTF-8.</summary>
    /// <remarks>Pipes, FIFOs and <c>/dev/stdin</c> are read once to their end (up to <see cref="ReadLimit"/>).</remarks>
    /// <exception cref="MdpFormatException">Missing file, a directory, too large, unreadable, or UTF-16 without a byte order mark.</exception>
    public static byte[] ReadBytes(string path)
    {
        using var stream = OpenRead(path);
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            return segment.Array;
        }

        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (IOException ex)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot read the file ({ex.Message.TrimEnd('.')})", "check that it exists and is readable");
        }
    }

    /// <summary>
    /// Opens a text file for one sequential read, with the checks of <see cref="ReadBytes"/> (existence, size, UTF-16 made UTF-8).
    /// A source that cannot seek (a pipe, a FIFO, <c>/dev/stdin</c>, <c>&lt;(…)</c>) is read once into memory, up to
    /// <see cref="ReadLimit"/>, and returned as a <see cref="MemoryStream"/> whose buffer is the exact bytes
    /// (<see cref="MapFor"/> maps positions in it without reading the source again).
    /// </summary>
    /// <exception cref="MdpFormatException">Missing file, a directory, too large, unreadable, or UTF-16 without a byte order mark.</exception>
    public static Stream OpenRead(string path)
    {
        RequireFile(path);
        var where = new SourceLocation(path, 0);
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            Stream stream = file;
            try
            {
                if (!file.CanSeek)
                {
                    var bytes = Drain(path, file);
                    file.Dispose();
                    stream = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
                }
                else if (SizeProblem(file.Length) is { } problem)
                {
                    throw new MdpFormatException(where, problem, "split the data or use a smaller sample");
                }

                return Utf8(path, stream);
            }
            catch
            {
                stream.Dispose();
                file.Dispose();
                throw;
            }
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

    /// <summary>
    /// The source map for a stream from <see cref="OpenRead"/>: over the bytes in memory for a pipe (which cannot be
    /// read again), else one that re-reads the file when a message needs a line and column.
    /// </summary>
    public static SourceMap MapFor(string path, Stream stream) =>
        stream is MemoryStream memory && memory.TryGetBuffer(out var segment) ? SourceMap.ForBytes(path, segment.Array!) : SourceMap.ForFile(path);

    /// <summary>Reads a stream to its end, refusing more than <see cref="ReadLimit"/> bytes.</summary>
    private static byte[] Drain(string path, Stream source)
    {
        var limit = ReadLimit;
        var buffer = new byte[1 << 16];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= limit)
                {
                    throw new MdpFormatException(new SourceLocation(path, 0), SizeProblem(limit + 1)!, "split the data or use a smaller sample");
                }

                Array.Resize(ref buffer, (int)Math.Min(Math.Min(2L * buffer.Length, Array.MaxLength), limit + 1));
            }

            var n = source.Read(buffer, length, buffer.Length - length);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        if (length > limit)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), SizeProblem(length)!, "split the data or use a smaller sample");
        }

        Array.Resize(ref buffer, length);
        return buffer;
    }

    /// <summary>
    /// Gives every reader (JSON, CSV, <c>.aut</c>, SMT-LIB, configs) the same UTF-8: UTF-16 text with a byte order mark
    /// (as Excel's "Unicode text" and PowerShell write it) is decoded and re-encoded as UTF-8 in memory, so lines and
    /// columns in messages still count characters; a NUL in the first two bytes (UTF-16 without a byte order mark, or a
    /// binary file) is refused in one line. The returned stream is at its start.
    /// </summary>
    private static Stream Utf8(string path, Stream stream)
    {
        Span<byte> head = stackalloc byte[2];
        var n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        if (n < 2)
        {
            return stream;
        }

        var bigEndian = head[0] == 0xFE && head[1] == 0xFF;
        if (bigEndian || (head[0] == 0xFF && head[1] == 0xFE))
        {
            var bytes = stream is MemoryStream m && m.TryGetBuffer(out var seg) ? seg.Array! : Drain(path, stream);
            try
            {
                var text = new UnicodeEncoding(bigEndian, byteOrderMark: false, throwOnInvalidBytes: true).GetString(bytes, 2, bytes.Length - 2);
                var utf8 = Encoding.UTF8.GetBytes(text);
                stream.Dispose();
                return new MemoryStream(utf8, 0, utf8.Length, writable: false, publiclyVisible: true);
            }
            catch (DecoderFallbackException)
            {
                throw new MdpFormatException(new SourceLocation(path, 1), "the file starts with a UTF-16 byte order mark but is not valid UTF-16 text", "save it as UTF-8");
            }
        }

        if ((head[0] == 0) != (head[1] == 0))
        {
            throw new MdpFormatException(new SourceLocation(path, 1), "the file starts with a NUL byte: it is binary, or UTF-16 without a byte order mark", "save it as UTF-8 text (or UTF-16 with a byte order mark)");
        }

        return stream;
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
