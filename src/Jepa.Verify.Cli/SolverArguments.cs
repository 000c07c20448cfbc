using System.CommandLine;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Cli;

/// <summary>The options every solver-backed command shares: <c>--solver</c> and <c>--timeout</c>.</summary>
internal sealed class SolverArguments
{
    public Option<string> Solver { get; } = new("--solver")
    {
        Description = "z3 (in-process), cvc5 (a process), or both (disagreement is an error, exit 3)",
        DefaultValueFactory = _ => "z3",
        HelpName = "z3|cvc5|both",
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds per solver query (all of a query's checks together); past it the answer is unknown (exit 3)",
        DefaultValueFactory = _ => 60.0,
        HelpName = "S",
    };

    public SolverArguments() => Solver.AcceptOnlyFromAmong([.. SolverPanel.Choices]);

    public void AddTo(Command command)
    {
        command.Options.Add(Solver);
        command.Options.Add(Timeout);
    }

    public SolverPanel Panel(ParseResult r) => SolverPanel.For(r.GetValue(Solver)!);

    public SolverOptions Options(ParseResult r)
    {
        var seconds = r.GetValue(Timeout);
        if (!(seconds > 0) || seconds > 86_400)
        {
            throw new UsageException($"--timeout must be more than 0 and at most 86400 seconds, got {seconds}; give the time limit per query, e.g. --timeout 60");
        }

        return new SolverOptions(TimeSpan.FromSeconds(seconds));
    }

    /// <summary>Per-solver results as JSON objects.</summary>
    public static void WriteResults(System.Text.Json.Utf8JsonWriter w, PanelResult result)
    {
        w.WriteStartArray("solvers");
        foreach (var s in result.Results)
        {
            w.WriteStartObject();
            w.WriteString("solver", s.Solver);
            w.WriteString("status", s.StatusText);
            JsonText.StringOrNull(w, "reason", s.Reason);

            w.WriteNumber("seconds", Math.Round(s.Elapsed.TotalSeconds, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
