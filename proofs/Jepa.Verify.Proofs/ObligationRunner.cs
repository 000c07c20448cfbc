using System.Collections.Immutable;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Proofs;

/// <summary>Runs the general obligations of <see cref="TheoremObligations"/> on a solver panel.</summary>
public static class ObligationRunner
{
    /// <summary>Runs every obligation; the verdict is verified when each gives its expected answer.</summary>
    /// <exception cref="SolverException">When a solver is missing, rejects a query, or two solvers disagree.</exception>
    public static (ImmutableArray<(Obligation Obligation, QueryOutcome Outcome)> Results, ProofVerdict Verdict) Run(SolverPanel panel, SolverOptions options)
    {
        var results = TheoremObligations.All()
            .Select(o => (o, new QueryOutcome(o.Name, o.Expected, panel.Check(o.Script, options))))
            .ToImmutableArray();
        var verdict = results.Any(r => !r.Item2.AsExpected && !r.Item2.Inconclusive) ? ProofVerdict.Violated
            : results.Any(r => r.Item2.Inconclusive) ? ProofVerdict.Unknown
            : ProofVerdict.Verified;
        return (results, verdict);
    }
}
