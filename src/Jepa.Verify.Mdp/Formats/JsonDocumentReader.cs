using System.Text;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Parses a small UTF-8 JSON document (a check config, a baseline) into <see cref="JsonNode"/>s with byte
/// offsets, turning every syntax error into a one-line <see cref="MdpFormatException"/> with line and column.
/// MDP files, which can be large, are streamed by <see cref="MdpJsonReader"/> instead.
/// </summary>
internal static class JsonDocumentReader
{
    /// <summary>Parses a whole document.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="expected">What the document should hold, for the empty-file message.</param>
    /// <returns>The root node and a function that maps byte offsets to locations (computed on demand).</returns>
    public static (JsonNode Root, Func<long, SourceLocation> Locate) Parse(string file, byte[] bytes, string expected)
    {
        var map = SourceMap.ForBytes(file, bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        var s = new JsonStream(stream, map);
        if (s.IsEmpty || !s.Read())
        {
            throw new MdpFormatException(new SourceLocation(file, 1, 1), "the file is empty", $"expected {expected}");
        }

        var root = ReadValue(ref s);
        s.Read(); // throws on anything but whitespace and comments after the value
        return (root, map.Locate);
    }

    private static JsonNode ReadValue(ref JsonStream s)
    {
        var offset = s.TokenOffset;
        switch (s.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = JsonNode.Object(offset);
                while (s.Read() && s.TokenType != JsonTokenType.EndObject)
                {
                    var nameOffset = s.TokenOffset;
                    var name = s.GetString();
                    s.Read();
                    node.Members.Add((name, nameOffset, ReadValue(ref s)));
                }

                return node;
            }

            case JsonTokenType.StartArray:
            {
                var node = JsonNode.Array(offset);
                while (s.Read() && s.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadValue(ref s));
                }

                return node;
            }

            case JsonTokenType.String:
                return JsonNode.String(offset, s.GetString());
            case JsonTokenType.Number:
            {
                var raw = Encoding.UTF8.GetString(s.ValueSpan);
                if (!s.TryGetDouble(out var value) || !double.IsFinite(value))
                {
                    throw new MdpFormatException(s.Here, $"the number {raw} is out of range", "use a finite double-precision number");
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
}
