namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>How <see cref="Bisimilarity"/> treats (observation, action) pairs without a transition.</summary>
public enum MissingTransitions
{
    /// <summary>
    /// Only observed transitions constrain: the result is the finite-data distinguishability
    /// relation (a set of pairs). With complete data it equals the partition.
    /// </summary>
    Relation,

    /// <summary>A missing transition moves to an absorbing sink whose aux value differs from every other; the result is a partition.</summary>
    Sink,
}
