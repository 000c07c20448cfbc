using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>Everything the counting experiment measured.</summary>
/// <param name="Settings">What was run.</param>
/// <param name="Analysis">The exact counting MDP with its conditions and bisimulation classes.</param>
/// <param name="Count">The count of every observation.</param>
/// <param name="Proof">Z3 on the finite abstraction: <c>collapse_possible</c> and <c>min_latents</c>.</param>
/// <param name="Outcomes">Every run, seed-major in mode order.</param>
/// <param name="Seconds">Wall-clock time of the whole experiment.</param>
public sealed record CountingResult(
    CountingSettings Settings,
    Analysis Analysis,
    ImmutableArray<int> Count,
    AbstractionProof Proof,
    ImmutableArray<ModeOutcome> Outcomes,
    double Seconds)
{
    /// <summary>The exact counting MDP.</summary>
    public MdpModel Mdp => Analysis.Mdp;

    /// <summary>Bisimulation classes of the reward aux.</summary>
    public int Classes => Analysis.Result.Partition!.Count;
}
