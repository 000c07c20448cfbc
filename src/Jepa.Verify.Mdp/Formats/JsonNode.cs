namespace Jepa.Verify.Mdp.Formats;

/// <summary>The kind of a <see cref="JsonNode"/>.</summary>
internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// A parsed JSON value that remembers its byte offset in the file, so that errors found after
/// parsing (an unknown id, a wrong type) can still name a line and column.
/// </summary>
internal sealed class JsonNode
{
    private JsonNode(JsonKind kind, long offset)
    {
        Kind = kind;
        Offset = offset;
    }

    public JsonKind Kind { get; }

    public long Offset { get; }

    /// <summary>String value, or the raw text of a number.</summary>
    public string? Text { get; private init; }

    public double Number { get; private init; }

    /// <summary>Object members in file order, each with the offset of its name (empty for non-objects).</summary>
    public List<(string Name, long NameOffset, JsonNode Value)> Members { get; private init; } = NoMembers;

    /// <summary>Array items (empty for non-arrays).</summary>
    public List<JsonNode> Items { get; private init; } = NoItems;

    // Shared empty lists for scalars: a large file has a million leaves, and two lists each cost 100+ MB.
    // Only the reader adds to lists, and only to those of objects and arrays.
    private static readonly List<(string, long, JsonNode)> NoMembers = [];
    private static readonly List<JsonNode> NoItems = [];

    public static JsonNode Object(long offset) => new(JsonKind.Object, offset) { Members = [] };

    public static JsonNode Array(long offset) => new(JsonKind.Array, offset) { Items = [] };

    public static JsonNode String(long offset, string text) => new(JsonKind.String, offset) { Text = text };

    public static JsonNode NumberNode(long offset, string raw, double value) =>
        new(JsonKind.Number, offset) { Text = raw, Number = value };

    public static JsonNode Literal(JsonKind kind, long offset) => new(kind, offset);

    /// <summary>The member with this name, or null.</summary>
    public JsonNode? Get(string name)
    {
        foreach (var (n, _, v) in Members)
        {
            if (n == name)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>A name for the kind in messages, e.g. <c>a string</c>.</summary>
    public string Describe() => Kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => $"the string \"{Truncate(Text!)}\"",
        JsonKind.Number => $"the number {Text}",
        JsonKind.True => "true",
        JsonKind.False => "false",
        _ => "null",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
