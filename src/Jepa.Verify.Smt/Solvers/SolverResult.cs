using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Solvers;

/// <summary>One solver's answer to one query.</summary>
/// <param name="Solver">The solver's name and version, e.g. <c>z3 4.8.12</c>.</param>
/// <param name="Status">sat, unsat or unknown.</param>
/// <param name="Reason">For unknown: the solver's reason (e.g. <c>timeout</c>); otherwise null.</param>
/// <param name="Values">
/// For sat, when values were asked for: each requested term as printed by <see cref="SmtLibPrinter"/>
/// mapped to its value as the solver printed it (e.g. <c>(E o3)</c> → <c>l1</c>).
/// </param>
/// <param name="Elapsed">Wall time of the query.</param>
public sealed record SolverResult(string Solver, SolverStatus Status, string? Reason, ImmutableDictionary<string, string> Values, TimeSpan Elapsed)
{
    /// <summary>The status in SMT-LIB spelling: <c>sat</c>, <c>unsat</c> or <c>unknown</c>.</summary>
    public string StatusText => Status.ToString().ToLowerInvariant();
}
