using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Solvers;

/// <summary>
/// Reads what a solver printed: check-sat answers, <c>(get-value …)</c> models, the reason for
/// unknown, and <c>(error "…")</c> messages. Any text is accepted: what cannot be read becomes a
/// one-line <see cref="SolverException"/> naming the solver, never another exception.
/// </summary>
public static class SolverResponse
{
    /// <summary>sat, unsat or unknown from one line of solver output; null for anything else.</summary>
    public static SolverStatus? Status(string line) => line.Trim() switch
    {
        "sat" => SolverStatus.Sat,
        "unsat" => SolverStatus.Unsat,
        "unknown" => SolverStatus.Unknown,
        _ => null,
    };

    /// <summary>The answer of every <c>(check-sat)</c>, in order.</summary>
    /// <exception cref="SolverException">When the output holds no answer.</exception>
    public static ImmutableArray<SolverStatus> Statuses(string solver, string output)
    {
        var checks = ImmutableArray.CreateBuilder<SolverStatus>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Status(line) is { } status)
            {
                checks.Add(status);
            }
        }

        return checks.Count > 0
            ? checks.ToImmutable()
            : throw new SolverException($"{solver} gave no answer to (check-sat): '{Clip(OneLine(output))}'; the text must contain (check-sat)");
    }

    /// <summary>The pairs of a <c>(get-value …)</c> answer, term text → value text.</summary>
    /// <exception cref="SolverException">When the answer is not a well-formed S-expression.</exception>
    public static ImmutableDictionary<string, string> Values(string solver, string output)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pairs in Parse(solver, output))
        {
            foreach (var pair in pairs.Items)
            {
                if (pair.Items.Length == 2)
                {
                    builder[pair.Items[0].ToString()] = pair.Items[1].ToString();
                }
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>The reason in a <c>(:reason-unknown "…")</c> answer, or the output as one line.</summary>
    public static string Reason(string output)
    {
        var parsed = TryParse(output);
        return Clip(parsed is [{ Items: [_, var value] }] ? value.Unquoted() : OneLine(output));
    }

    /// <summary>The messages of every <c>(error "…")</c> in the output joined by "; ", or null when there is none.</summary>
    public static string? Errors(string output)
    {
        var errors = TryParse(output)
            .Where(e => e.Items is [{ Atom: "error" }, _])
            .Select(e => e.Items[1].Unquoted())
            .ToList();
        return errors.Count == 0 ? null : Clip(OneLine(string.Join("; ", errors)));
    }

    /// <summary>Text on one line, for messages: line breaks become spaces, other control characters <c>\uXXXX</c>.</summary>
    public static string OneLine(string s)
    {
        var text = s.ReplaceLineEndings(" ").Trim();
        return text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString())) : text;
    }

    private static List<SExpression> Parse(string solver, string output)
    {
        try
        {
            return SExpression.ParseAll(output);
        }
        catch (FormatException ex)
        {
            throw new SolverException($"{solver} gave an answer this tool cannot read ({ex.Message}): '{Clip(OneLine(output))}'");
        }
    }

    private static List<SExpression> TryParse(string output)
    {
        try
        {
            return SExpression.ParseAll(output);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static string Clip(string s) => s.Length <= 300 ? s : s[..297] + "...";
}
