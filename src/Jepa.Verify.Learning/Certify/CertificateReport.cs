using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Certify;

/// <summary>What <see cref="Certificate"/> proved about a model's latents. Distances and bounds are relative to <see cref="Scale"/>.</summary>
/// <param name="Scale">The RMS latent norm the relative numbers are divided by (as the collapse report's).</param>
/// <param name="NonEquivalentPairs">Pairs the bisimulation (or the finite-data relation) separates.</param>
/// <param name="CertifiedPairs">Of those, pairs with a positive certified lower bound on their latent distance.</param>
/// <param name="MinCertifiedDistance">The smallest bound over the non-equivalent pairs (0 when one is not certified), or null when there are none.</param>
/// <param name="LipschitzTransition">The sound upper bound L_T on the Lipschitz constant of <c>z ↦ T̂(z, a)</c> (every action).</param>
/// <param name="LipschitzAux">The sound upper bound L_P on the Lipschitz constant of <c>P̂</c>.</param>
/// <param name="MaxResidualDyn">The largest e_T(o, a) = ‖T̂(E(o), a) − E(T(o, a))‖ over the transitions (a norm, not squared), or null without transitions.</param>
/// <param name="MaxResidualAux">The largest e_P(o) = ‖P̂(E(o)) − p(o)‖ over the observations, or null without observations.</param>
/// <param name="RequiredResidual">
/// The largest uniform residual ε such that, were every e_T and e_P at most ε (with these Lipschitz constants and aux
/// values), every non-equivalent pair would be certified; null when there are no non-equivalent pairs or a constant is 0.
/// </param>
/// <param name="RequiredResidualExact">False when the search stopped at its step limit: <see cref="RequiredResidual"/> is then a value that suffices, possibly below the largest.</param>
/// <param name="Sweeps">Passes of the bound iteration until no bound rose by more than 1e-6 relative (every pass's bounds are sound).</param>
/// <param name="Pairs">Every non-equivalent pair with its distance and bound, when asked for; otherwise empty.</param>
/// <param name="Hardest">The non-equivalent pairs with the smallest bounds (at most 10), smallest first.</param>
/// <param name="BoundSum">The sum of the relative bounds over the non-equivalent pairs (training's progress measure).</param>
/// <param name="RolledOutPairs">Pairs the per-step clause left at 0 and the rollout clause (<see cref="RolloutClause"/>) certified.</param>
/// <param name="TightnessMin">The smallest bound/distance over the non-equivalent pairs (0 where a pair is not certified), or null when there are none.</param>
/// <param name="TightnessMedian">The median bound/distance over the non-equivalent pairs: how much of the true distances the certificate proves.</param>
public sealed record CertificateReport(
    double Scale,
    long NonEquivalentPairs,
    long CertifiedPairs,
    double? MinCertifiedDistance,
    double LipschitzTransition,
    double LipschitzAux,
    double? MaxResidualDyn,
    double? MaxResidualAux,
    double? RequiredResidual,
    bool RequiredResidualExact,
    int Sweeps,
    ImmutableArray<CertifiedPair> Pairs,
    ImmutableArray<CertifiedPair> Hardest,
    double BoundSum,
    long RolledOutPairs,
    double? TightnessMin = null,
    double? TightnessMedian = null)
{
    /// <summary>Every non-equivalent pair has a positive certified lower bound.</summary>
    public bool Certified => CertifiedPairs == NonEquivalentPairs;

    /// <summary>
    /// Null when every pair was bounded on its own (up to <see cref="Certificate.PairLimit"/> observations); otherwise the
    /// class level's figures: then <see cref="TightnessMin"/> and <see cref="TightnessMedian"/> are over a sample.
    /// </summary>
    public CertificateLevel? Level { get; init; }

    /// <summary>
    /// Pairs bounded on their own that the per-pair clauses left at 0 and the class representatives' certificate (less the
    /// two classes' radii; <see cref="ClassCertificate.RepresentativeFloor"/>) certified: observations repeated as a replay
    /// buffer repeats them, whose pairs are too many for directional bounds each.
    /// </summary>
    public long ByRepresentatives { get; init; }
}

/// <summary>Where a class-level certificate's bounds came from (<see cref="ClassCertificate"/>).</summary>
/// <param name="Classes">The bisimulation classes bounded pairwise.</param>
/// <param name="CertifiedByClass">Non-equivalent pairs certified by their class pair's bound.</param>
/// <param name="Refined">Pairs of members of class pairs bounded by 0, bounded again pair by pair.</param>
/// <param name="CertifiedByRefinement">Of those, pairs certified.</param>
/// <param name="Unrefined">Pairs of members of class pairs bounded by 0 that did not fit the refinement's limit: not certified.</param>
/// <param name="TightnessSampled">The non-equivalent pairs drawn (with a fixed seed) to measure bound over distance.</param>
public sealed record CertificateLevel(int Classes, long CertifiedByClass, long Refined, long CertifiedByRefinement, long Unrefined, int TightnessSampled)
{
    /// <summary>Whether the classes' representatives got the pair-level certificate (up to <see cref="Certificate.PairLimit"/> classes), whose bounds less the classes' radii bound their members.</summary>
    public bool Representatives { get; init; }

    /// <summary>The class pairs' bounds, which the collapse analysis uses to skip pairs already apart.</summary>
    public ClassBounds? Bounds { get; init; }

    /// <summary>One line for reports: which level the bounds came from.</summary>
    public string Summary =>
        FormattableString.Invariant($"bounds per pair of {Classes} bisimulation classes{(Representatives ? " (from their representatives' pair-level certificate less the classes' radii, and the classes' worst residuals)" : " (from the classes' worst residuals)")}: {CertifiedByClass} pairs certified by their classes' bound, {CertifiedByRefinement} of {Refined} refined pair by pair{(Unrefined > 0 ? $", {Unrefined} past the refinement's limit left at 0" : "")}; bound/distance over {TightnessSampled} sampled pairs");
}

/// <summary>The class-level bounds: a lower bound on the latent distance of every pair of members of two classes.</summary>
public sealed class ClassBounds
{
    private readonly double[] bounds;
    private readonly long[] rows;

    internal ClassBounds(double[] bounds, long[] rows) => (this.bounds, this.rows) = (bounds, rows);

    /// <summary>The bound (absolute, not relative) for classes <paramref name="c"/> ≠ <paramref name="e"/>.</summary>
    public double this[int c, int e] => bounds[Certificate.Position(rows, c, e)];
}
