using System.Globalization;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>Typed access to <see cref="JsonNode"/>s that fails with one-line, located messages.</summary>
internal sealed class JsonFields(Func<long, SourceLocation> locate)
{
    public SourceLocation At(JsonNode node) => locate(node.Offset);

    public SourceLocation At(long offset) => locate(offset);

    public JsonNode Expect(JsonNode node, JsonKind kind, string what, string fix)
    {
        if (node.Kind != kind)
        {
            throw new MdpFormatException(At(node), $"{what} must be {Article(kind)}, found {node.Describe()}", fix);
        }

        return node;
    }

    /// <summary>Checks that an object has only the given keys (catches typos such as "transition").</summary>
    public void AllowOnly(JsonNode obj, string what, params string[] keys)
    {
        foreach (var (name, offset, _) in obj.Members)
        {
            if (Array.IndexOf(keys, name) < 0)
            {
                throw new MdpFormatException(At(offset), $"unknown key \"{name}\" in {what}", $"use only {Quoted(keys)}");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, offset, _) in obj.Members)
        {
            if (!seen.Add(name))
            {
                throw new MdpFormatException(At(offset), $"key \"{name}\" appears twice in {what}", "keep one of them");
            }
        }
    }

    public JsonNode Require(JsonNode obj, string key, string what, string fix)
    {
        return obj.Get(key) ?? throw new MdpFormatException(At(obj), $"{what} has no \"{key}\"", fix);
    }

    /// <summary>An integer in <c>[min, max]</c>.</summary>
    public long Integer(JsonNode node, string what, long min, long max)
    {
        if (node.Kind != JsonKind.Number || !double.IsInteger(node.Number) || node.Number < min || node.Number > max)
        {
            throw new MdpFormatException(At(node), $"{what} must be an integer from {min} to {max}, found {node.Describe()}", $"write a whole number between {min} and {max}");
        }

        return (long)node.Number;
    }

    /// <summary>A bound as a person writes it: <c>1e-9</c>, <c>10</c>, <c>1e12</c> (not .NET's <c>1E-09</c>).</summary>
    private static string Plain(double value)
    {
        var text = AuxValue.Format(value);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : $"{text[..e]}e{int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A finite number in <c>[min, max]</c>.</summary>
    public double Number(JsonNode node, string what, double min, double max)
    {
        if (node.Kind != JsonKind.Number || node.Number < min || node.Number > max)
        {
            var (low, high) = (Plain(min), Plain(max));
            throw new MdpFormatException(At(node), $"{what} must be a number from {low} to {high}, found {node.Describe()}", $"write a number between {low} and {high}");
        }

        return node.Number;
    }

    /// <summary>true or false.</summary>
    public bool Boolean(JsonNode node, string what) => node.Kind switch
    {
        JsonKind.True => true,
        JsonKind.False => false,
        _ => throw new MdpFormatException(At(node), $"{what} must be true or false, found {node.Describe()}", "write true or false"),
    };

    /// <summary>A non-empty string, optionally one of <paramref name="choices"/>.</summary>
    public string Text(JsonNode node, string what, params string[] choices)
    {
        if (node.Kind != JsonKind.String || node.Text!.Length == 0)
        {
            throw new MdpFormatException(At(node), $"{what} must be a non-empty string, found {node.Describe()}", choices.Length > 0 ? $"write one of {Quoted(choices)}" : "write it as a string");
        }

        if (choices.Length > 0 && Array.IndexOf(choices, node.Text) < 0)
        {
            throw new MdpFormatException(At(node), $"{what} is {node.Describe()}", $"use one of {Quoted(choices)}");
        }

        return node.Text;
    }

    private static string Quoted(string[] values) => string.Join(", ", values.Select(k => '"' + k + '"'));

    private static string Article(JsonKind kind) => kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
