using System.Text;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// System.Text.Json's <see cref="Utf8JsonReader"/> over a stream, refilled in blocks: one forward
/// pass, memory bounded by the largest token, and every token's absolute byte offset (for
/// <see cref="SourceMap"/>). Syntax errors become one-line <see cref="MdpFormatException"/>s.
/// </summary>
/// <remarks>
/// Written here because System.Text.Json reads streams only through <see cref="JsonDocument"/> (a whole
/// tree) or the serializer (types); its documented pattern for a large stream is this refill loop.
/// A leading UTF-8 byte order mark is skipped; comments are skipped; nesting is limited to 64 levels.
/// </remarks>
internal ref struct JsonStream
{
    private const int BlockSize = 1 << 16;
    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    private readonly Stream stream;
    private readonly SourceMap map;
    private readonly long origin;
    private byte[] buffer;
    private int length;
    private long bufferStart;
    private bool final;
    private Utf8JsonReader reader;

    /// <summary>Starts reading <paramref name="stream"/> at byte <paramref name="offset"/> (seeking there).</summary>
    public JsonStream(Stream stream, SourceMap map, long offset = 0)
    {
        this.stream = stream;
        this.map = map;
        stream.Seek(offset, SeekOrigin.Begin);
        buffer = new byte[BlockSize];
        bufferStart = offset;
        Fill();
        if (offset == 0 && buffer.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            Shift(3);
        }

        origin = bufferStart;
        IsEmpty = final && buffer.AsSpan(0, length).Trim(" \t\r\n"u8).IsEmpty;
        reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, new JsonReaderState(Options));
    }

    /// <summary>True when the input holds nothing but whitespace.</summary>
    public bool IsEmpty { get; }

    public readonly JsonTokenType TokenType => reader.TokenType;

    /// <summary>The absolute byte offset of the current token.</summary>
    public readonly long TokenOffset => bufferStart + reader.TokenStartIndex;

    public readonly int CurrentDepth => reader.CurrentDepth;

    /// <summary>The current token's raw bytes (a string's without quotes, still escaped).</summary>
    public readonly ReadOnlySpan<byte> ValueSpan => reader.ValueSpan;

    public readonly bool ValueIsEscaped => reader.ValueIsEscaped;

    public readonly SourceLocation Locate(long offset) => map.Locate(offset);

    /// <summary>The location of the current token.</summary>
    public readonly SourceLocation Here => map.Locate(TokenOffset);

    /// <summary>Moves to the next token, refilling the buffer as needed; false at the end of the input.</summary>
    /// <exception cref="MdpFormatException">On a syntax error, with its place.</exception>
    public bool Read()
    {
        try
        {
            while (!reader.Read())
            {
                if (final)
                {
                    return false;
                }

                Refill();
            }

            return true;
        }
        catch (JsonException ex)
        {
            var where = map.LocateLineByte(origin, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
            throw new MdpFormatException(where, $"invalid JSON: {CleanMessage(ex.Message)}", Hint(ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw new MdpFormatException(Here, $"invalid JSON text: {CleanMessage(ex.Message)}", "save the file as UTF-8 JSON");
        }
    }

    /// <summary>Skips the value that starts at the current token (its children included).</summary>
    public void SkipValue()
    {
        if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = CurrentDepth;
        while (Read() && !(CurrentDepth == depth && TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
        }
    }

    /// <summary>The current string token, unescaped.</summary>
    /// <exception cref="MdpFormatException">For invalid UTF-8 or escapes in the string.</exception>
    public readonly string GetString()
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new MdpFormatException(Here, $"invalid JSON text: {CleanMessage(ex.Message)}", "save the file as UTF-8 JSON");
        }
    }

    /// <summary>
    /// The current string token's UTF-8 bytes, unescaped (into <paramref name="scratch"/> when it holds escapes),
    /// or a number's literal text.
    /// </summary>
    public readonly ReadOnlySpan<byte> Utf8(Span<byte> scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        try
        {
            return reader.ValueSpan.Length <= scratch.Length ? scratch[..reader.CopyString(scratch)] : System.Text.Encoding.UTF8.GetBytes(GetString());
        }
        catch (InvalidOperationException ex)
        {
            throw new MdpFormatException(Here, $"invalid JSON text: {CleanMessage(ex.Message)}", "save the file as UTF-8 JSON");
        }
    }

    public readonly bool ValueTextEquals(ReadOnlySpan<byte> text) => reader.ValueTextEquals(text);

    public readonly bool TryGetDouble(out double value) => reader.TryGetDouble(out value);

    /// <summary>A short description of the current value for messages, e.g. <c>the number 5</c> or <c>an object</c>.</summary>
    public readonly string Describe() => TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => $"the string \"{Truncate(GetString())}\"",
        JsonTokenType.Number => $"the number {Truncate(Encoding.UTF8.GetString(ValueSpan))}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };

    internal static string CleanMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = message.ReplaceLineEndings(" ").Trim();
        return message.TrimEnd('.', ' ');
    }

    /// <summary>The fix for a syntax error; Python's <c>json.dump</c> writes NaN and Infinity, which JSON does not allow.</summary>
    internal static string Hint(string message) =>
        message.Contains("'N'", StringComparison.Ordinal) || message.Contains("'I'", StringComparison.Ordinal)
            ? "fix the syntax at this place (JSON has no NaN or Infinity: write null for a missing value, or pass allow_nan=False to Python's json.dump to find them)"
            : "fix the syntax at this place";

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private void Refill()
    {
        var consumed = (int)reader.BytesConsumed;
        var state = reader.CurrentState;
        if (consumed == 0 && length == buffer.Length)
        {
            // One token longer than the buffer: grow it (a long string or number).
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        Shift(consumed);
        Fill();
        reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
    }

    private void Shift(int consumed)
    {
        Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
        length -= consumed;
        bufferStart += consumed;
    }

    private void Fill()
    {
        var want = buffer.Length - length;
        var n = stream.ReadAtLeast(buffer.AsSpan(length), want, throwOnEndOfStream: false);
        length += n;
        final = n < want;
    }
}
