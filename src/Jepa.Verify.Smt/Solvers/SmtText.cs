namespace Jepa.Verify.Smt.Solvers;

/// <summary>What the solvers need to know about SMT-LIB text before sending it.</summary>
public static class SmtText
{
    /// <summary>How many top-level <c>(check-sat)</c> commands the text holds (not in comments, strings or quoted symbols).</summary>
    public static int CountChecks(string smtLib) => SplitAfterChecks(smtLib).Count(s => s.EndsWithCheck);

    /// <summary>The number of checks, refusing text without any (a solver would wait for an answer that never comes).</summary>
    /// <exception cref="SolverException">When the text holds no <c>(check-sat)</c>.</exception>
    public static int RequireChecks(string smtLib, string solver)
    {
        var checks = CountChecks(smtLib);
        return checks > 0 ? checks : throw new SolverException($"{solver}: the text has no (check-sat) command, so there is nothing to answer; end the script with (check-sat)");
    }

    /// <summary>
    /// The text cut right after each top-level <c>(check-sat)</c>: every piece but perhaps the last ends with a
    /// check, and the pieces put together are the text. A solver can then stop between checks when its time is
    /// up. Written by hand: the scan only needs parentheses, <c>"strings"</c>, <c>|quoted symbols|</c> and
    /// <c>; comments</c>, and no SMT-LIB reader for .NET runs here (Microsoft.Z3's managed API cannot, DESIGN.md §4).
    /// </summary>
    public static IEnumerable<(string Text, bool EndsWithCheck)> SplitAfterChecks(string smtLib)
    {
        var (start, depth, commandStart) = (0, 0, -1);
        for (var i = 0; i < smtLib.Length; i++)
        {
            switch (smtLib[i])
            {
                case ';':
                    while (i < smtLib.Length && smtLib[i] != '\n')
                    {
                        i++;
                    }

                    break;
                case '"':
                    // "" inside a string is an escaped quote: the loop leaves the string and enters it again.
                    i = smtLib.IndexOf('"', i + 1) is var close and >= 0 ? close : smtLib.Length;
                    break;
                case '|':
                    i = smtLib.IndexOf('|', i + 1) is var bar and >= 0 ? bar : smtLib.Length;
                    break;
                case '(':
                    if (depth++ == 0)
                    {
                        commandStart = i;
                    }

                    break;
                case ')':
                    if (--depth == 0 && IsCheckSat(smtLib.AsSpan(commandStart, i + 1 - commandStart)))
                    {
                        yield return (smtLib[start..(i + 1)], true);
                        start = i + 1;
                    }

                    depth = Math.Max(depth, 0);
                    break;
            }
        }

        if (start < smtLib.Length)
        {
            yield return (smtLib[start..], false);
        }
    }

    private static bool IsCheckSat(ReadOnlySpan<char> command)
    {
        // "( check-sat )" is the same command as "(check-sat)".
        var inner = command[1..^1].Trim();
        return inner.SequenceEqual("check-sat");
    }
}
