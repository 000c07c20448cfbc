using System.Text;

namespace Jepa.Verify.Cli;

/// <summary>
/// A write-only stream that decodes UTF-8 into a <see cref="TextWriter"/> (standard output, or a test's
/// string writer), so <see cref="System.Text.Json.Utf8JsonWriter"/> can stream to either.
/// </summary>
internal sealed class TextWriterStream(TextWriter output) : Stream
{
    /// <summary>
    /// A stream into <paramref name="output"/>: the process's standard output itself when
    /// <paramref name="output"/> is <see cref="Console.Out"/> writing UTF-8 (the bytes go out as they
    /// are, with no decoding and encoding again: a 3 MB report spent 5 % of its command's time there),
    /// else a <see cref="TextWriterStream"/>.
    /// </summary>
    public static Stream Over(TextWriter output)
    {
        if (!ReferenceEquals(output, Console.Out) || Console.OutputEncoding.CodePage != Encoding.UTF8.CodePage)
        {
            return new TextWriterStream(output);
        }

        output.Flush();
        return new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
    }

    private readonly Decoder decoder = new UTF8Encoding(false).GetDecoder();
    private char[] chars = new char[4096];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var max = decoder.GetCharCount(buffer, flush: false);
        if (max > chars.Length)
        {
            chars = new char[max];
        }

        var n = decoder.GetChars(buffer, chars, flush: false);
        output.Write(chars, 0, n);
    }

    public override void Flush() => output.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
