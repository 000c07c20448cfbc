using Jepa.Verify.Proofs;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Cli.Reports;

/// <summary>How proofs are reported: which solvers answered, and the exit code of a verdict (used by <c>prove</c>, <c>check</c> and <c>bench prove</c>).</summary>
internal static class ProofOutput
{
    /// <summary>The solvers that answered, e.g. <c>z3 + cvc5</c>.</summary>
    public static string Solvers(IEnumerable<PanelResult> results) => PanelResult.SolverNames(results);

    /// <summary>The exit code of a proof verdict: 0 verified, 1 violated, 3 inconclusive.</summary>
    public static int ExitCode(ProofVerdict v) => v switch
    {
        ProofVerdict.Verified => ExitCodes.Ok,
        ProofVerdict.Violated => ExitCodes.CheckFailed,
        _ => ExitCodes.Inconclusive,
    };
}
