namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>Options of <see cref="Bisimilarity.Compute(MdpModel, BisimulationOptions?)"/>.</summary>
/// <param name="AuxTolerance">0 for exact aux comparison, else the bucket width (see <see cref="AuxKeys"/>).</param>
/// <param name="Missing">How to treat missing transitions when the data are incomplete.</param>
/// <param name="MaxPairs">The pair limit of the finite-data relation.</param>
public sealed record BisimulationOptions(
    double AuxTolerance = 0,
    MissingTransitions Missing = MissingTransitions.Relation,
    long MaxPairs = DistinguishabilityRelation.DefaultMaxPairs);
