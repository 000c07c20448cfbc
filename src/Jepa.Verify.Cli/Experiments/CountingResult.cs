using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Cli.Experiments;

/// <summary>Everything the counting experiment measured.</summary>
/// <param name="Settings">What was run.</param>
/// <param name="Mdp">The exact counting MDP.</param>
/// <param name="Count">The count of every observation.</param>
/// <param name="Classes">Bisimulation classes of the reward aux.</param>
/// <param name="Proof">Z3 on the finite abstraction: <c>collapse_possible</c> and <c>min_latents</c>.</param>
/// <param name="Outcomes">Every run, seed-major in mode order.</param>
/// <param name="Seconds">Wall-clock time of the whole experiment.</param>
internal sealed record CountingResult(
    CountingSettings Settings,
    MdpModel Mdp,
    ImmutableArray<int> Count,
    int Classes,
    AbstractionProof Proof,
    ImmutableArray<ModeOutcome> Outcomes,
    double Seconds);
