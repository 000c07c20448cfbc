using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>What <see cref="CollapseAnalysis"/> found in a set of latents. Distances are relative to <see cref="Scale"/>.</summary>
/// <param name="Observations">How many latents were analysed.</param>
/// <param name="LatentDim">Their dimension.</param>
/// <param name="Scale">The RMS latent norm <c>√(mean ‖zᵢ‖²)</c> (0 when every latent is 0; then every relative distance is 0).</param>
/// <param name="Tolerance">The separation threshold used.</param>
/// <param name="NonEquivalentPairs">Pairs the bisimulation (or the finite-data relation) separates.</param>
/// <param name="MinNonEquivalentDistance">The smallest relative distance over those pairs, or null when there are none.</param>
/// <param name="Violations">Non-equivalent pairs within the tolerance (unhealthy collapse).</param>
/// <param name="OffendingPairs">The closest violations, closest first (at most the option's limit).</param>
/// <param name="Clusters">Latent clusters: single linkage at the tolerance.</param>
/// <param name="ClusterOf">The cluster of each observation (numbered by first member).</param>
/// <param name="Classes">Bisimulation classes, or null when only a relation was given.</param>
/// <param name="Purity">The share of observations whose cluster's majority class is their own (1 = no cluster mixes classes), or null without classes.</param>
/// <param name="LabelPurity">The same purity against each ground-truth label (observations without the label are skipped).</param>
/// <param name="EffectiveRank">RankMe: <c>exp(−Σ pₖ ln pₖ)</c> over the normalised singular values of the latent matrix.</param>
/// <param name="WithinClassSpread">RMS distance of latents to their class centroid, or null without classes.</param>
/// <param name="BetweenClassSpread">RMS distance between class centroids (over pairs of classes), or null without two classes.</param>
/// <param name="Metrics">srank, α-ReQ, LiDAR, the separation ratio and the linear probe (<see cref="SpectralMetrics"/>), or null (reports made before they were kept).</param>
public sealed record CollapseReport(
    int Observations,
    int LatentDim,
    double Scale,
    double Tolerance,
    long NonEquivalentPairs,
    double? MinNonEquivalentDistance,
    long Violations,
    ImmutableArray<OffendingPair> OffendingPairs,
    int Clusters,
    ImmutableArray<int> ClusterOf,
    int? Classes,
    double? Purity,
    ImmutableSortedDictionary<string, double> LabelPurity,
    double EffectiveRank,
    double? WithinClassSpread,
    double? BetweenClassSpread,
    CollapseMetrics? Metrics = null)
{
    /// <summary>Whether every non-equivalent pair is separated by more than the tolerance.</summary>
    public bool Separated => Violations == 0;
}
