using System.Globalization;
using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads the Aldebaran <c>.aut</c> format (CADP, mCRL2): a header <c>des (initial, transitions, states)</c>
/// then one <c>(from, "label", to)</c> per line. States are <c>0 … states−1</c>; labels, quoted or not,
/// may contain commas and become the actions. Every state's aux value is <c>0</c> until a side file
/// (<see cref="AuxFile"/>) gives others.
/// </summary>
/// <remarks>One streaming pass over the file's bytes (<see cref="ByteLines"/>); labels are looked up without allocating.</remarks>
public static class AutReader
{
    /// <summary>
    /// A header may declare at most this many states beyond twice the transition lines the file can hold:
    /// states with no transition are legal, but a count far beyond the file's content is a typo, and is
    /// refused before allocating.
    /// </summary>
    public const int MaxIsolatedStates = 1_000_000;

    /// <summary>Reads an <c>.aut</c> file.</summary>
    /// <exception cref="MdpFormatException">On a bad header or line, a state out of range, or a wrong transition count.</exception>
    public static MdpModel Read(string path)
    {
        using var stream = TextFile.OpenRead(path);
        return Read(path, stream);
    }

    /// <summary>Reads <c>.aut</c> text from bytes.</summary>
    /// <param name="path">The file name for messages.</param>
    /// <param name="bytes">The UTF-8 bytes.</param>
    /// <exception cref="MdpFormatException">On a bad header or line, a state out of range, or a wrong transition count.</exception>
    public static MdpModel Read(string path, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(path, stream);
    }

    private static MdpModel Read(string path, Stream stream)
    {
        var lines = new ByteLines(path, stream);
        var header = "";
        while (header.Length == 0)
        {
            if (!lines.Next())
            {
                throw new MdpFormatException(new SourceLocation(path, 1, 1), "the file is empty", "start it with the header des (initial, transitions, states)");
            }

            header = Encoding.UTF8.GetString(lines.Current).Trim();
        }

        var headerLine = lines.Number;
        var (initial, declaredTransitions, states) = ParseHeader(new SourceLocation(path, headerLine), header);

        // Every transition line takes at least 8 bytes, "(0,a,0)\n": a header asking for far more states than
        // transitions could reach is refused before a billion observations are built.
        if (states > MaxIsolatedStates && states > 2 * ((stream.Length / 8) + 1))
        {
            throw new MdpFormatException(new SourceLocation(path, headerLine), $"the header declares {states} states but the file has {TransitionLines(path, stream)} transition lines",
                $"fix the header's third number (more than {MaxIsolatedStates} states are read only when transitions reach about half of them)");
        }

        var b = new MdpBuilder(path, SourceMap.ForLines(path));
        var zero = AuxValue.Scalar(0);
        for (var s = 0; s < states; s++)
        {
            var i = b.GetOrAddObservation(s.ToString(CultureInfo.InvariantCulture), headerLine);
            b.SetAux(i, zero, headerLine);
        }

        b.AddInitial(initial.ToString(CultureInfo.InvariantCulture));
        var count = 0;
        Span<char> label = stackalloc char[256];
        while (lines.Next())
        {
            var line = lines.Current.Trim(" \t"u8);
            if (line.IsEmpty)
            {
                continue;
            }

            var where = lines.Number;
            if (line[0] != (byte)'(' || line[^1] != (byte)')')
            {
                throw Bad(path, where, line);
            }

            var inner = line[1..^1];
            var firstComma = inner.IndexOf((byte)',');
            var lastComma = inner.LastIndexOf((byte)',');
            if (firstComma < 0 || lastComma == firstComma)
            {
                throw Bad(path, where, line);
            }

            var from = State(path, where, inner[..firstComma], states);
            var to = State(path, where, inner[(lastComma + 1)..], states);
            var name = inner[(firstComma + 1)..lastComma].Trim(" \t"u8);
            if (name.Length >= 2 && name[0] == (byte)'"' && name[^1] == (byte)'"')
            {
                name = name[1..^1];
            }

            if (name.IsEmpty)
            {
                throw new MdpFormatException(new SourceLocation(path, where), "empty label", "give the transition a label");
            }

            ReadOnlySpan<char> chars = name.Length <= label.Length ? label[..Encoding.UTF8.GetChars(name, label)] : Encoding.UTF8.GetString(name);
            var action = b.IndexOfAction(chars);
            if (action < 0)
            {
                action = b.AddAction(chars.ToString(), where);
            }

            b.AddTransition(from, action, to, where);
            count++;
        }

        if (count != declaredTransitions)
        {
            throw new MdpFormatException(new SourceLocation(path, headerLine), $"the header declares {declaredTransitions} transitions but the file has {count}", $"set the header's second number to {count}");
        }

        return b.Build();
    }

    private static (int Initial, int Transitions, int States) ParseHeader(SourceLocation where, string t)
    {
        const string fix = "start the file with des (initial, transitions, states), e.g. des (0, 12, 9)";
        var bad = new MdpFormatException(where, $"bad header '{Short(t)}'", fix);
        if (!t.StartsWith("des", StringComparison.Ordinal))
        {
            throw bad;
        }

        var rest = t[3..].Trim();
        if (rest.Length < 2 || rest[0] != '(' || rest[^1] != ')')
        {
            throw bad;
        }

        var parts = rest[1..^1].Split(',');
        if (parts.Length != 3
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var initial)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var transitions)
            || !int.TryParse(parts[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var states))
        {
            throw bad;
        }

        if (states == 0)
        {
            throw new MdpFormatException(where, "the header declares 0 states", "an .aut file needs at least one state");
        }

        if (initial >= states)
        {
            throw new MdpFormatException(where, $"initial state {initial} is not below the state count {states}", "fix the header");
        }

        return (initial, transitions, states);
    }

    private static int State(string path, int line, ReadOnlySpan<byte> text, int states)
    {
        var where = new SourceLocation(path, line);
        text = text.Trim(" \t"u8);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        {
            throw new MdpFormatException(where, $"'{Short(Encoding.UTF8.GetString(text))}' is not a state number", "states are 0, 1, 2, …");
        }

        if (s >= states)
        {
            throw new MdpFormatException(where, $"state {s} is not below the declared state count {states}", "fix the state or the header's third number");
        }

        return s;
    }

    private static MdpFormatException Bad(string path, int line, ReadOnlySpan<byte> text) =>
        new(new SourceLocation(path, line), $"bad transition line '{Short(Encoding.UTF8.GetString(text))}'", "write (from, \"label\", to)");

    /// <summary>The lines that are not blank, less the header (for the message only).</summary>
    private static long TransitionLines(string path, Stream stream)
    {
        stream.Seek(0, SeekOrigin.Begin);
        var lines = new ByteLines(path, stream);
        long count = -1;
        while (lines.Next())
        {
            if (!lines.Current.Trim(" \t"u8).IsEmpty)
            {
                count++;
            }
        }

        return count;
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
