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

        // Without allocating (every aux value of a large file passes here; Python writes 16-17 digits for most floats):
        // the significant digits of the literal and of the double's shortest round-trip text, each into a stack buffer.
        Span<char> writtenDigits = literal.Length <= 256 ? stackalloc char[literal.Length] : new char[literal.Length];
        if (Normalize(literal, writtenDigits) is not var (writtenLength, writtenExponent))
        {
            return null;
        }

        if (value == 0)
        {
            return writtenLength == 0 ? null : "underflows to 0";
        }

        if (writtenLength <= 15 && double.IsNormal(value))
        {
            return null;
        }

        Span<char> text = stackalloc char[32];
        Span<char> heldDigits = stackalloc char[32];
        if (value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture)
            && Normalize(text[..length], heldDigits) is var (heldLength, heldExponent)
            && heldExponent == writtenExponent && heldDigits[..heldLength].SequenceEqual(writtenDigits[..writtenLength]))
        {
            return null;
        }

        var becomes = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsNormal(value)
            ? $"has more precision than a double holds (it becomes {becomes})"
            : $"is below the doubles' normal range and loses precision (it becomes {becomes})";
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

    /// <summary>
    /// The literal's significant digits (no leading or trailing zeros), written into <paramref name="digits"/>, with their
    /// count and the power of ten after the last one; null if it is no plain decimal. Zero has no digits and exponent 0.
    /// </summary>
    private static (int Length, long Exponent)? Normalize(ReadOnlySpan<char> text, Span<char> digits)
    {
        var i = 0;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        var length = 0;
        long exponent = 0;
        var any = false;
        var fraction = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.' && !fraction)
            {
                fraction = true;
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                break;
            }

            any = true;
            if (fraction)
            {
                exponent--;
            }

            if (length > 0 || c != '0')
            {
                digits[length++] = c; // leading zeros are not significant
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

        var trimmed = length;
        while (trimmed > 0 && digits[trimmed - 1] == '0')
        {
            trimmed--;
        }

        return (trimmed, trimmed == 0 ? 0 : exponent + (length - trimmed));
    }
}
