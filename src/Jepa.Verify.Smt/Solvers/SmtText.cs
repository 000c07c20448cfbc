namespace Jepa.Verify.Smt.Solvers;

/// <summary>What the solvers need to know about SMT-LIB text before sending it.</summary>
public static class SmtText
{
    /// <summary>How many <c>(check-sat)</c> commands the text holds, outside comments.</summary>
    public static int CountChecks(string smtLib)
    {
        var count = 0;
        foreach (var line in smtLib.Split('\n'))
        {
            var code = line.Split(';')[0];
            for (var at = code.IndexOf("(check-sat)", StringComparison.Ordinal); at >= 0; at = code.IndexOf("(check-sat)", at + 1, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The number of checks, refusing text without any (a solver would wait for an answer that never comes).</summary>
    /// <exception cref="SolverException">When the text holds no <c>(check-sat)</c>.</exception>
    public static int RequireChecks(string smtLib, string solver)
    {
        var checks = CountChecks(smtLib);
        return checks > 0 ? checks : throw new SolverException($"{solver}: the text has no (check-sat) command, so there is nothing to answer; end the script with (check-sat)");
    }
}
