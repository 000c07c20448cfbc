using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// Which pairs of observations the theorem forces apart: what the collapse analysis, the witnesses and the reports need
/// from a bisimulation, whether it is a <see cref="Partition"/> (complete data, or a sink) or the finite-data
/// <see cref="DistinguishabilityRelation"/>.
/// </summary>
public interface IDistinguishedPairs
{
    /// <summary>How many observations it covers (indices <c>0…Size−1</c>).</summary>
    int Size { get; }

    /// <summary>How many unordered pairs of distinct observations are distinguished.</summary>
    long DistinguishedCount { get; }

    /// <summary>
    /// The class of every observation when "not distinguished" is an equivalence (a partition); null for the finite-data
    /// relation, which is not transitive.
    /// </summary>
    ImmutableArray<int>? Classes { get; }

    /// <summary>True when observations <paramref name="a"/> and <paramref name="b"/> must get distinct latents.</summary>
    bool AreDistinguished(int a, int b);
}
