using System.Globalization;

namespace Jepa.Verify.Mdp;

/// <summary>
/// Whether a number literal is held exactly by the double it parses to, in the sense that matters for bisimulation:
/// two literals of different value must never become one double. A literal is accepted when its decimal value equals
/// that of the double's shortest round-trip text (<c>0.1</c> → <c>0.1</c>); it is refused when precision is lost
/// (<c>9007199254740993</c> → <c>9007199254740992</c>) or it underflows (<c>1e-400</c> → <c>0</c>).
/// </summary>
/// <remarks>
/// Sound: if two accepted literals of different value parsed to one double x, both would equal x's shortest text in
/// value, so each other. Literals of at most 15 significant digits whose double is normal are exact by IEEE 754 and
/// skip the comparison.
/// </remarks>
public static class ExactNumber
{
    /// <summary>Null when <paramref name="literal"/> is held exactly by <paramref name="value"/>; else what is lost, in words.</summary>
    /// <param name="literal">The number as written, e.g. <c>9007199254740993</c> or <c>-2.5e-3</c>.</param>
    /// <param name="value">What it parsed to.</param>
    /// <example><c>Problem("1e-400", 0)</c> is <c>"underflows to 0"</c>.</example>
    public static string? Problem(ReadOnlySpan<char> literal, double value)
    {
        if (!double.IsFinite(value))
        {
            return null; // out of range: the readers refuse it themselves
        }

        // The common cases without allocating (every aux value of a large file passes here): a short literal that parsed
        // to a normal double, and a zero written as zero.
        var (digits, nonZero) = Mantissa(literal);
        if ((digits <= 15 && double.IsNormal(value)) || (value == 0 && !nonZero))
        {
            return null;
        }

        var written = Normalize(literal);
        if (written is null)
        {
            return null;
        }

        if (value == 0)
        {
            return written.Value.Digits.Length == 0 ? null : "underflows to 0";
        }

        var held = Normalize(value.ToString("R", CultureInfo.InvariantCulture));
        return held is { } h && h.Digits == written.Value.Digits && h.Exponent == written.Value.Exponent
            ? null
            : double.IsNormal(value)
                ? $"has more precision than a double holds (it becomes {value.ToString("R", CultureInfo.InvariantCulture)})"
                : $"is below the doubles' normal range and loses precision (it becomes {value.ToString("R", CultureInfo.InvariantCulture)})";
    }

    /// <summary>As <see cref="Problem(ReadOnlySpan{char}, double)"/> for an ASCII (UTF-8) literal, such as a JSON number token.</summary>
    public static string? Problem(ReadOnlySpan<byte> literal, double value)
    {
        Span<char> chars = literal.Length <= 256 ? stackalloc char[literal.Length] : new char[literal.Length];
        for (var i = 0; i < literal.Length; i++)
        {
            chars[i] = (char)literal[i];
        }

        return Problem(chars, value);
    }

    /// <summary>How many digits the literal's mantissa has (before any exponent), and whether one is not 0.</summary>
    private static (int Digits, bool NonZero) Mantissa(ReadOnlySpan<char> text)
    {
        var digits = 0;
        var nonZero = false;
        foreach (var c in text)
        {
            if (c is 'e' or 'E')
            {
                break;
            }

            if (char.IsAsciiDigit(c))
            {
                digits++;
                nonZero |= c != '0';
            }
        }

        return (digits, nonZero);
    }

    /// <summary>The literal's significant digits (no leading or trailing zeros) and the power of ten after the last one; null if it is no plain decimal.</summary>
    private static (string Digits, long Exponent)? Normalize(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        var digits = new System.Text.StringBuilder();
        long exponent = 0;
        var any = false;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++, any = true)
        {
            digits.Append(text[i]);
        }

        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++, any = true)
            {
                digits.Append(text[i]);
                exponent--;
            }
        }

        if (!any)
        {
            return null;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var negative = i < text.Length && text[i] == '-';
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            long e = 0;
            var start = i;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                e = Math.Min((e * 10) + (text[i] - '0'), 1L << 40);
            }

            if (i == start)
            {
                return null;
            }

            exponent += negative ? -e : e;
        }

        if (i != text.Length)
        {
            return null;
        }

        var s = digits.ToString().TrimStart('0');
        var trimmed = s.TrimEnd('0');
        return (trimmed, trimmed.Length == 0 ? 0 : exponent + (s.Length - trimmed.Length));
    }
}
