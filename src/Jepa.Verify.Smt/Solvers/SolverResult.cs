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
/// <param name="Checks">
/// The answer to each <c>(check-sat)</c> in order. For an incremental script <see cref="Status"/>
/// combines them: sat if any case is sat, else unknown if any is unknown, else unsat.
/// </param>
public sealed record SolverResult(string Solver, SolverStatus Status, string? Reason, ImmutableDictionary<string, string> Values, TimeSpan Elapsed, ImmutableArray<SolverStatus> Checks)
{
    /// <summary>Combines the answers of several checks: sat if any is sat, else unknown if any is unknown, else unsat.</summary>
    public static SolverStatus Combine(IEnumerable<SolverStatus> checks)
    {
        var list = checks.ToList();
        return list.Contains(SolverStatus.Sat) ? SolverStatus.Sat
            : list.Contains(SolverStatus.Unknown) || list.Count == 0 ? SolverStatus.Unknown
            : SolverStatus.Unsat;
    }

    /// <summary>The status in SMT-LIB spelling: <c>sat</c>, <c>unsat</c> or <c>unknown</c>.</summary>
    public string StatusText => Status.ToString().ToLowerInvariant();
}
