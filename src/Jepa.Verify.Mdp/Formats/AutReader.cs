using System.Globalization;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads the Aldebaran <c>.aut</c> format (CADP, mCRL2): a header <c>des (initial, transitions, states)</c>
/// then one <c>(from, "label", to)</c> per line. States are <c>0 … states−1</c>; labels, quoted or not,
/// may contain commas and become the actions. Every state's aux value is <c>0</c> until a side file
/// (<see cref="AuxFile"/>) gives others.
/// </summary>
public static class AutReader
{
    /// <summary>
    /// A header may declare at most this many states beyond twice its transition lines: states with no
    /// transition are legal, but a count far beyond the file's content is a typo, and is refused before allocating.
    /// </summary>
    public const int MaxIsolatedStates = 1_000_000;

    /// <summary>Reads an <c>.aut</c> file.</summary>
    /// <exception cref="MdpFormatException">On a bad header or line, a state out of range, or a wrong transition count.</exception>
    public static MdpModel Read(string path, byte[] bytes)
    {
        var lines = TextFile.Lines(path, bytes);
        var headerIndex = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerIndex < 0)
        {
            throw new MdpFormatException(new SourceLocation(path, 1, 1), "the file is empty", "start it with the header des (initial, transitions, states)");
        }

        var (initial, declaredTransitions, states) = ParseHeader(path, headerIndex + 1, lines[headerIndex]);
        var transitionLines = lines.Skip(headerIndex + 1).Count(l => !string.IsNullOrWhiteSpace(l));
        if (states > MaxIsolatedStates && states > 2L * transitionLines)
        {
            // Refused before allocating: a header typo must not build billions of observations.
            throw new MdpFormatException(new SourceLocation(path, headerIndex + 1), $"the header declares {states} states but the file has {transitionLines} transition lines",
                $"fix the header's third number (more than {MaxIsolatedStates} states are read only when transitions reach about half of them)");
        }

        var b = new MdpBuilder(path);
        for (var s = 0; s < states; s++)
        {
            var i = b.GetOrAddObservation(s.ToString(CultureInfo.InvariantCulture), new SourceLocation(path, headerIndex + 1));
            b.SetAux(i, AuxValue.Scalar(0), new SourceLocation(path, headerIndex + 1));
        }

        b.AddInitial(initial.ToString(CultureInfo.InvariantCulture));
        var count = 0;
        for (var li = headerIndex + 1; li < lines.Length; li++)
        {
            var line = lines[li].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var where = new SourceLocation(path, li + 1);
            if (line[0] != '(' || line[^1] != ')')
            {
                throw new MdpFormatException(where, $"bad transition line '{Short(line)}'", "write (from, \"label\", to)");
            }

            var inner = line[1..^1];
            var firstComma = inner.IndexOf(',');
            var lastComma = inner.LastIndexOf(',');
            if (firstComma < 0 || lastComma == firstComma)
            {
                throw new MdpFormatException(where, $"bad transition line '{Short(line)}'", "write (from, \"label\", to)");
            }

            var from = State(path, where, inner[..firstComma], states);
            var to = State(path, where, inner[(lastComma + 1)..], states);
            var label = inner[(firstComma + 1)..lastComma].Trim();
            if (label.Length >= 2 && label[0] == '"' && label[^1] == '"')
            {
                label = label[1..^1];
            }

            if (label.Length == 0)
            {
                throw new MdpFormatException(where, "empty label", "give the transition a label");
            }

            var action = b.GetOrAddAction(label, where);
            b.AddTransition(from, action, to, where);
            count++;
        }

        if (count != declaredTransitions)
        {
            throw new MdpFormatException(new SourceLocation(path, headerIndex + 1), $"the header declares {declaredTransitions} transitions but the file has {count}", $"set the header's second number to {count}");
        }

        return b.Build();
    }

    private static (int Initial, int Transitions, int States) ParseHeader(string path, int lineNumber, string line)
    {
        var where = new SourceLocation(path, lineNumber);
        const string fix = "start the file with des (initial, transitions, states), e.g. des (0, 12, 9)";
        var t = line.Trim();
        if (!t.StartsWith("des", StringComparison.Ordinal))
        {
            throw new MdpFormatException(where, $"bad header '{Short(t)}'", fix);
        }

        t = t[3..].Trim();
        if (t.Length < 2 || t[0] != '(' || t[^1] != ')')
        {
            throw new MdpFormatException(where, $"bad header '{Short(line.Trim())}'", fix);
        }

        var parts = t[1..^1].Split(',');
        if (parts.Length != 3
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var initial)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var transitions)
            || !int.TryParse(parts[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var states))
        {
            throw new MdpFormatException(where, $"bad header '{Short(line.Trim())}'", fix);
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

    private static int State(string path, SourceLocation where, string text, int states)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        {
            throw new MdpFormatException(where, $"'{Short(text.Trim())}' is not a state number", "states are 0, 1, 2, …");
        }

        if (s >= states)
        {
            throw new MdpFormatException(where, $"state {s} is not below the declared state count {states}", "fix the state or the header's third number");
        }

        return s;
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
