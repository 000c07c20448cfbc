using System.Collections.Immutable;
using System.Text;

namespace Jepa.Verify.Smt.Solvers;

/// <summary>
/// A parsed S-expression from solver output: an atom (symbol, number, <c>"string"</c> or
/// <c>|quoted symbol|</c>) or a list. <see cref="ToString"/> prints the canonical one-space form
/// that <see cref="SmtLibPrinter"/> also uses, so printed terms can be matched.
/// </summary>
public sealed record SExpression(string? Atom, ImmutableArray<SExpression> Items)
{
    /// <summary>Lists nested deeper than this are refused (a malformed or hostile answer must not exhaust the stack).</summary>
    public const int MaxDepth = 1000;

    /// <summary>True for an atom.</summary>
    public bool IsAtom => Atom is not null;

    /// <summary>Parses every top-level S-expression in <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">On unbalanced parentheses, an unterminated string, or nesting deeper than <see cref="MaxDepth"/>.</exception>
    public static List<SExpression> ParseAll(string text)
    {
        var result = new List<SExpression>();
        var pos = 0;
        while (true)
        {
            SkipSpace(text, ref pos);
            if (pos >= text.Length)
            {
                return result;
            }

            result.Add(Parse(text, ref pos, 0));
        }
    }

    /// <summary>True when the text holds only complete S-expressions (used to know when a solver's answer has ended).</summary>
    public static bool IsComplete(string text)
    {
        var depth = 0;
        var inString = false;
        var inQuote = false;
        foreach (var c in text)
        {
            if (inString)
            {
                inString = c != '"';
            }
            else if (inQuote)
            {
                inQuote = c != '|';
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '|')
            {
                inQuote = true;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
        }

        return depth <= 0 && !inString && !inQuote;
    }

    /// <inheritdoc/>
    public override string ToString() => Atom ?? "(" + string.Join(" ", Items.Select(i => i.ToString())) + ")";

    private static SExpression Parse(string text, ref int pos, int depth)
    {
        if (text[pos] == '(')
        {
            if (depth >= MaxDepth)
            {
                throw new FormatException($"solver output nested deeper than {MaxDepth} levels");
            }

            pos++;
            var items = ImmutableArray.CreateBuilder<SExpression>();
            while (true)
            {
                SkipSpace(text, ref pos);
                if (pos >= text.Length)
                {
                    throw new FormatException("unbalanced parentheses in solver output");
                }

                if (text[pos] == ')')
                {
                    pos++;
                    return new SExpression(null, items.ToImmutable());
                }

                items.Add(Parse(text, ref pos, depth + 1));
            }
        }

        if (text[pos] == ')')
        {
            throw new FormatException("unexpected ')' in solver output");
        }

        var start = pos;
        if (text[pos] == '"')
        {
            // A string literal; "" inside it is an escaped quote.
            pos++;
            while (true)
            {
                if (pos >= text.Length)
                {
                    throw new FormatException("unterminated string in solver output");
                }

                if (text[pos] == '"' && pos + 1 < text.Length && text[pos + 1] == '"')
                {
                    pos += 2;
                }
                else if (text[pos] == '"')
                {
                    pos++;
                    return new SExpression(text[start..pos], []);
                }
                else
                {
                    pos++;
                }
            }
        }

        if (text[pos] == '|')
        {
            var close = text.IndexOf('|', pos + 1);
            if (close < 0)
            {
                throw new FormatException("unterminated |symbol| in solver output");
            }

            pos = close + 1;
            return new SExpression(text[start..pos], []);
        }

        while (pos < text.Length && !char.IsWhiteSpace(text[pos]) && text[pos] is not '(' and not ')')
        {
            pos++;
        }

        return new SExpression(text[start..pos], []);
    }

    private static void SkipSpace(string text, ref int pos)
    {
        while (pos < text.Length)
        {
            if (char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
            else if (text[pos] == ';')
            {
                while (pos < text.Length && text[pos] != '\n')
                {
                    pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>The text of a string atom without its quotes (with <c>""</c> unescaped).</summary>
    public string Unquoted() =>
        Atom is { Length: >= 2 } a && a[0] == '"' && a[^1] == '"' ? new StringBuilder(a[1..^1]).Replace("\"\"", "\"").ToString() : Atom ?? ToString();
}
