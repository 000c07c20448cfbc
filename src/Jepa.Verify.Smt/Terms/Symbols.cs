using System.Text;

namespace Jepa.Verify.Smt.Terms;

/// <summary>SMT-LIB symbols: which names are simple symbols, and how to make one from arbitrary text.</summary>
public static class Symbols
{
    private const string Extra = "~!@$%^&*_-+=<>.?/";

    /// <summary>True when <paramref name="name"/> is a simple SMT-LIB symbol (letters, digits, <c>~!@$%^&amp;*_-+=&lt;&gt;.?/</c>, not starting with a digit).</summary>
    public static bool IsSimple(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || Extra.Contains(c));

    /// <summary>Returns the name if it is a simple symbol.</summary>
    /// <exception cref="ArgumentException">Otherwise (terms use simple symbols only, so printed text never needs quoting).</exception>
    public static string Check(string name) =>
        IsSimple(name) ? name : throw new ArgumentException($"'{name}' is not a simple SMT-LIB symbol", nameof(name));

    /// <summary>
    /// A simple symbol derived from arbitrary text, unique per (prefix, index): e.g. an observation id
    /// <c>count 4</c> at index 4 becomes <c>o4_count_4</c>. Used to name MDP elements readably.
    /// </summary>
    public static string Derive(string prefix, int index, string text)
    {
        var sb = new StringBuilder(prefix).Append(index).Append('_');
        foreach (var c in text.Take(24))
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return sb.ToString().TrimEnd('_');
    }
}
