using Jepa.Verify.Environments;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Proofs.Tests;

/// <summary>Finite abstractions of built-in MDPs, built the way <c>jepa-verify prove</c> builds them.</summary>
internal static class Abstractions
{
    public static FiniteAbstraction Of(MdpModel mdp) =>
        FiniteAbstraction.FromResult(Bisimilarity.Compute(mdp), mdp.Observations, mdp.Actions, s => mdp.Aux[s].ToString());

    public static FiniteAbstraction Counting() => Of(ClassicMdps.Counting());
}
