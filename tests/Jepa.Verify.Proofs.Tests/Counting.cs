using Jepa.Verify.Environments;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Proofs.Tests;

/// <summary>Finite abstractions of built-in MDPs, built the way <c>jepa-verify prove</c> builds them.</summary>
internal static class Abstractions
{
    public static FiniteAbstraction Of(MdpModel mdp)
    {
        var result = Bisimilarity.Compute(mdp);
        var keys = Enumerable.Range(0, mdp.ObservationCount).Select(result.KeyOf).ToArray();
        var auxNames = new string[keys.Max() + 1];
        for (var s = mdp.ObservationCount - 1; s >= 0; s--)
        {
            auxNames[keys[s]] = mdp.Aux[s].ToString();
        }

        return new FiniteAbstraction(result.Table, keys, result.FullPartition!, mdp.Observations, mdp.Actions, auxNames);
    }

    public static FiniteAbstraction Counting() => Of(ClassicMdps.Counting());
}
