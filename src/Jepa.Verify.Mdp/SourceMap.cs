namespace Jepa.Verify.Mdp;

/// <summary>
/// Turns byte offsets in one input file into <see cref="SourceLocation"/>s (1-based line, column in
/// characters). Readers record only offsets while they stream; a line and column are computed when a
/// message needs one, so reading stays linear in the file whatever its layout (a one-line JSON file
/// from Python's <c>json.dump</c> included).
/// </summary>
/// <remarks>
/// A location reads the file again (or the bytes given) up to the offset, in 4 KiB blocks, recording the
/// line and column at each block boundary; a later location reads from the nearest such checkpoint, so
/// locating k places costs at most one pass plus 4 KiB each, and the file is never held in memory. Columns count UTF-8 characters (bytes that
/// are not continuation bytes); a leading UTF-8 byte order mark is not counted. Thread-safe.
/// Example: in <c>{"a": 1}</c> the offset 6 is <c>file:1:7</c>.
/// </remarks>
public sealed class SourceMap
{
    private const int Stride = 4096;
    private readonly Func<Stream>? open;
    private Index? index;

    private SourceMap(string file, Func<Stream>? open)
    {
        File = file;
        this.open = open;
    }

    /// <summary>The file as the user named it, e.g. <c>examples/counting.json</c>.</summary>
    public string File { get; }

    /// <summary>A map over bytes already in memory (kept until the map is dropped).</summary>
    /// <param name="file">The name used in locations.</param>
    /// <param name="bytes">The file's bytes.</param>
    public static SourceMap ForBytes(string file, byte[] bytes) => new(file, () => new MemoryStream(bytes, writable: false));

    /// <summary>A map that reads <paramref name="path"/> again on the first location asked for.</summary>
    /// <param name="path">The file, named as in messages.</param>
    public static SourceMap ForFile(string path) => new(path, () => System.IO.File.OpenRead(path));

    /// <summary>
    /// A map whose positions are 1-based line numbers already (readers of line-oriented formats such as
    /// CSV, whose parser reports lines, not offsets).
    /// </summary>
    /// <param name="file">The name used in locations.</param>
    public static SourceMap ForLines(string file) => new(file, null);

    /// <summary>The location of a position; a negative one (unknown) gives the file alone.</summary>
    /// <param name="offset">
    /// 0-based byte offset from the start of the file (byte order mark included), or the 1-based line for a map
    /// made by <see cref="ForLines"/>.
    /// </param>
    public SourceLocation Locate(long offset)
    {
        if (offset < 0)
        {
            return new SourceLocation(File, 0);
        }

        if (open is null)
        {
            return new SourceLocation(File, (int)Math.Min(int.MaxValue, offset));
        }

        try
        {
            return LazyInitializer.EnsureInitialized(ref index, () => new Index(open)).Locate(File, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file changed or vanished since it was read: the message keeps the file's name.
            return new SourceLocation(File, 0);
        }
    }

    /// <summary>
    /// The location of a 0-based line and a byte position in it, counted from byte <paramref name="origin"/>,
    /// as <see cref="System.Text.Json.JsonException"/> reports them for a reader started there.
    /// </summary>
    internal SourceLocation LocateLineByte(long origin, long line, long bytePositionInLine)
    {
        if (open is null)
        {
            return new SourceLocation(File, (int)Math.Min(int.MaxValue, line + 1));
        }

        try
        {
            var ix = LazyInitializer.EnsureInitialized(ref index, () => new Index(open));
            return ix.Locate(File, ix.LineStart(origin, line) + bytePositionInLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SourceLocation(File, (int)Math.Min(int.MaxValue, line + 1));
        }
    }

    /// <summary>
    /// Checkpoints of (line, column) every <see cref="Stride"/> bytes, computed forward only as far as an offset
    /// asked for; the file is read again in blocks and never held whole.
    /// </summary>
    private sealed class Index(Func<Stream> open)
    {
        private readonly List<(int Line, int Column)> checkpoints = [(0, 0)];
        private readonly byte[] block = new byte[Stride];
        private int start = -1;

        public SourceLocation Locate(string file, long offset)
        {
            lock (checkpoints)
            {
                using var stream = open();
                var length = stream.Length;
                var end = Math.Clamp(offset, 0, length);
                if (start < 0)
                {
                    start = Read(stream, 0, 3).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
                }

                var c = (int)(end / Stride);
                while (checkpoints.Count <= c)
                {
                    var from = (long)(checkpoints.Count - 1) * Stride;
                    var (line, column) = checkpoints[^1];
                    Advance(Read(stream, from, Stride), from, ref line, ref column);
                    checkpoints.Add((line, column));
                }

                var (l, col) = checkpoints[c];
                Advance(Read(stream, (long)c * Stride, (int)(end - ((long)c * Stride))), (long)c * Stride, ref l, ref col);
                return new SourceLocation(file, l + 1, col + 1);
            }
        }

        public long LineStart(long origin, long line)
        {
            lock (checkpoints)
            {
                using var stream = open();
                var offset = Math.Max(origin, 0);
                for (long l = 0; l < line && offset < stream.Length; )
                {
                    var span = Read(stream, offset, Stride);
                    var next = span.IndexOf((byte)'\n');
                    if (next < 0)
                    {
                        offset += span.Length;
                        continue;
                    }

                    offset += next + 1;
                    l++;
                }

                return Math.Min(offset, stream.Length);
            }
        }

        private ReadOnlySpan<byte> Read(Stream stream, long from, int count)
        {
            stream.Seek(from, SeekOrigin.Begin);
            var n = stream.ReadAtLeast(block.AsSpan(0, count), count, throwOnEndOfStream: false);
            return block.AsSpan(0, n);
        }

        private void Advance(ReadOnlySpan<byte> span, long from, ref int line, ref int column)
        {
            for (var i = 0; i < span.Length; i++)
            {
                var b = span[i];
                if (b == (byte)'\n')
                {
                    line++;
                    column = 0;
                }
                else if ((b & 0xC0) != 0x80 && from + i >= start)
                {
                    column++;
                }
            }
        }
    }
}
