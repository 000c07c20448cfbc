using System.Globalization;
using System.Text;

namespace Jepa.Verify.Mdp;

/// <summary>Makes text safe for a one-line error message: control and line-separator characters become visible escapes.</summary>
public static class OneLine
{
    /// <summary>
    /// Returns <paramref name="text"/> with every control character (C0, DEL, C1), the Unicode line and
    /// paragraph separators and the bidirectional controls written as <c>\r</c>, <c>\n</c>, <c>\t</c> or <c>\uXXXX</c>, so input echoed in
    /// a message can neither break the line nor drive the terminal. Example: <c>"a\rb"</c> → <c>a\rb</c> (backslash, r).
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when NeedsEscape(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    /// <summary>
    /// For an id that was not found: its code points when it holds any character beyond ASCII, so that two ids that print
    /// alike but differ (<c>é</c> precomposed, NFC, and <c>e</c> + U+0301, NFD) can be told apart; else the empty string.
    /// (Normalising instead is not possible here: the build runs with invariant globalization, which has no Unicode tables.)
    /// </summary>
    /// <example><c>"e\u0301"</c> → <c>" (code points U+0065 U+0301)"</c>; <c>"s1"</c> → <c>""</c>.</example>
    public static string CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.All(char.IsAscii) ? "" : $" (code points {string.Join(" ", text.EnumerateRunes().Select(r => string.Create(CultureInfo.InvariantCulture, $"U+{r.Value:X4}")))})";
    }

    /// <summary>Control characters, line separators, and the bidirectional controls (U+200E/F, U+202A–E, U+2066–9), which reorder what a terminal shows.</summary>
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
