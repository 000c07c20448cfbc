using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Proofs;

/// <summary>One query of a proof run: its name, the answer the theorem predicts, and what the solvers said.</summary>
/// <param name="Name">E.g. <c>decoder-lemma</c> or <c>zero-loss-equal-latents-equal-aux</c>.</param>
/// <param name="Expected">The predicted answer.</param>
/// <param name="Result">The solvers' combined answer.</param>
public sealed record QueryOutcome(string Name, SolverStatus Expected, PanelResult Result)
{
    /// <summary>True when the solvers gave the predicted answer.</summary>
    public bool AsExpected => Result.Status == Expected;

    /// <summary>True when no solver answered.</summary>
    public bool Inconclusive => Result.Status == SolverStatus.Unknown;
}
