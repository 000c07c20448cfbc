using System.Text.Unicode;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// The lines of a UTF-8 text stream as byte spans, read forward in blocks: memory bounded by the longest
/// line, each line checked for NUL and invalid UTF-8, its end (LF or CRLF) removed.
/// </summary>
/// <remarks>Written here because .NET's line readers decode every line into a new string.</remarks>
internal ref struct ByteLines
{
    private readonly Stream stream;
    private readonly string path;
    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int length;
    private bool final;

    public ByteLines(string path, Stream stream)
    {
        this.path = path;
        this.stream = stream;
        Fill();
        if (buffer.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            start = 3;
        }
        else if (length >= 2 && ((buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF)))
        {
            throw new MdpFormatException(new SourceLocation(path, 1), "the file is UTF-16 text", "save it as UTF-8");
        }
    }

    /// <summary>The current line, without its line end.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>The 1-based number of the current line.</summary>
    public int Number { get; private set; }

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    /// <exception cref="MdpFormatException">For a NUL byte or invalid UTF-8 in the line.</exception>
    public bool Next()
    {
        while (true)
        {
            var rest = buffer.AsSpan(start, length - start);
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0 && !final)
            {
                Compact();
                Fill();
                continue;
            }

            if (newline < 0 && rest.IsEmpty)
            {
                return false;
            }

            var line = newline < 0 ? rest : rest[..newline];
            start += newline < 0 ? rest.Length : newline + 1;
            Number++;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Contains((byte)0))
            {
                throw new MdpFormatException(new SourceLocation(path, Number), "the line holds a NUL byte: the file is binary, or UTF-16", "give a UTF-8 text file");
            }

            if (!Utf8.IsValid(line))
            {
                throw new MdpFormatException(new SourceLocation(path, Number), "the file is not valid UTF-8 text", "save it as UTF-8");
            }

            Current = line;
            return true;
        }
    }

    private void Compact()
    {
        if (start == 0 && length == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
            return;
        }

        Buffer.BlockCopy(buffer, start, buffer, 0, length - start);
        length -= start;
        start = 0;
    }

    private void Fill()
    {
        var want = buffer.Length - length;
        var n = stream.ReadAtLeast(buffer.AsSpan(length), want, throwOnEndOfStream: false);
        length += n;
        final = n < want;
    }
}
