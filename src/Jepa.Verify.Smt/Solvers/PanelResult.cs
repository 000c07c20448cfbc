using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Solvers;

/// <summary>The combined answer of one or more solvers to one query.</summary>
/// <param name="Status">
/// The agreed status. With two solvers where one says unknown, the other's definite answer; unknown
/// only when no solver answered.
/// </param>
/// <param name="Results">Each solver's own result, in the order asked.</param>
public sealed record PanelResult(SolverStatus Status, ImmutableArray<SolverResult> Results)
{
    /// <summary>The status in SMT-LIB spelling.</summary>
    public string StatusText => Status.ToString().ToLowerInvariant();

    /// <summary>
    /// The values of the first solver that answered sat with values, as terms read against the script's sorts
    /// (<see cref="SolverPanel.Check(SmtScript, SolverOptions)"/>); empty for raw text, whose sorts are not known.
    /// </summary>
    public SolverModel Model { get; init; } = SolverModel.Empty;

    /// <summary>The values of the first solver that answered sat with values, as printed (term text → value text).</summary>
    public ImmutableDictionary<string, string> Values => Answered?.Values ?? ImmutableDictionary<string, string>.Empty;

    /// <summary>The first solver's result that answered sat with values, or null: where <see cref="Values"/> and <see cref="Model"/> come from.</summary>
    public SolverResult? Answered => Results.FirstOrDefault(r => r.Status == SolverStatus.Sat && r.Values.Count > 0);

    /// <summary>The longest solver time.</summary>
    public TimeSpan Elapsed => Results.Max(r => r.Elapsed);

    /// <summary>The solvers and their answers, e.g. <c>z3 4.8.12.0: unsat; cvc5 1.0.3: unsat</c>.</summary>
    public string Describe() => string.Join("; ", Results.Select(r => $"{r.Solver}: {r.StatusText}{(r.Reason is null ? "" : $" ({r.Reason})")}"));

    /// <summary>The solvers that answered any of <paramref name="results"/>, e.g. <c>z3 + cvc5</c>.</summary>
    public static string SolverNames(IEnumerable<PanelResult> results) =>
        string.Join(" + ", results.SelectMany(r => r.Results.Select(s => s.Solver)).Distinct());
}
