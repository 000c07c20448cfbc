using System.Text;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Parses UTF-8 JSON into <see cref="JsonNode"/>s with byte offsets, turning every syntax error
/// into a one-line <see cref="MdpFormatException"/> with line and column.
/// </summary>
internal sealed class JsonDocumentReader
{
    private readonly string file;
    private readonly byte[] bytes;
    private readonly int start;
    private List<int>? lineStarts;

    private JsonDocumentReader(string file, byte[] bytes)
    {
        this.file = file;
        this.bytes = bytes;
        start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
    }

    /// <summary>Parses a whole document.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="expected">What the document should hold, for the empty-file message.</param>
    /// <returns>The root node and a function that maps byte offsets to locations.</returns>
    public static (JsonNode Root, Func<long, SourceLocation> Locate) Parse(string file, byte[] bytes, string expected)
    {
        var reader = new JsonDocumentReader(file, bytes);
        return (reader.ParseRoot(expected), reader.Locate);
    }

    /// <summary>
    /// Maps a byte offset to a 1-based line and a 1-based column counted in characters: a binary search
    /// over the line starts (found once), then a count within the line. Readers call it for every
    /// observation and transition, so it must not rescan the file.
    /// </summary>
    public SourceLocation Locate(long offset)
    {
        lineStarts ??= LineStarts();
        var end = (int)Math.Clamp(offset, start, bytes.Length);
        var index = lineStarts.BinarySearch(end);
        var line = index >= 0 ? index : ~index - 1;
        var column = 1;
        for (var i = lineStarts[line]; i < end; i++)
        {
            if ((bytes[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new SourceLocation(file, line + 1, column);
    }

    private List<int> LineStarts()
    {
        var starts = new List<int> { start };
        for (var i = start; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private JsonNode ParseRoot(string expected)
    {
        var span = bytes.AsSpan(start);
        if (span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new MdpFormatException(new SourceLocation(file, 1, 1), "the file is empty", $"expected {expected}");
        }

        var reader = new Utf8JsonReader(span, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = false,
            MaxDepth = 64,
        });
        try
        {
            if (!reader.Read())
            {
                throw new MdpFormatException(new SourceLocation(file, 1, 1), "the file holds no JSON value", $"expected {expected}");
            }

            var root = ReadValue(ref reader);
            reader.Read(); // throws on anything but whitespace and comments after the value
            return root;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new MdpFormatException(new SourceLocation(file, line, column), $"invalid JSON: {CleanMessage(ex.Message)}", "fix the syntax at this place");
        }
        catch (InvalidOperationException ex)
        {
            // Thrown by Utf8JsonReader for invalid UTF-8 inside strings and similar.
            throw new MdpFormatException(Locate(start + reader.TokenStartIndex), $"invalid JSON text: {CleanMessage(ex.Message)}", "save the file as UTF-8 JSON");
        }
    }

    private JsonNode ReadValue(ref Utf8JsonReader reader)
    {
        var offset = start + reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = JsonNode.Object(offset);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var nameOffset = start + reader.TokenStartIndex;
                    var name = reader.GetString()!;
                    reader.Read();
                    node.Members.Add((name, nameOffset, ReadValue(ref reader)));
                }

                return node;
            }

            case JsonTokenType.StartArray:
            {
                var node = JsonNode.Array(offset);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadValue(ref reader));
                }

                return node;
            }

            case JsonTokenType.String:
                return JsonNode.String(offset, reader.GetString()!);
            case JsonTokenType.Number:
            {
                var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
                {
                    throw new MdpFormatException(Locate(offset), $"the number {raw} is out of range", "use a finite double-precision number");
                }

                return JsonNode.NumberNode(offset, raw, value);
            }

            case JsonTokenType.True:
                return JsonNode.Literal(JsonKind.True, offset);
            case JsonTokenType.False:
                return JsonNode.Literal(JsonKind.False, offset);
            default:
                return JsonNode.Literal(JsonKind.Null, offset);
        }
    }

    private static string CleanMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = message.ReplaceLineEndings(" ").Trim();
        return message.TrimEnd('.', ' ');
    }
}
