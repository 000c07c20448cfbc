using System.Collections.Immutable;
using Jepa.Verify.Learning.Collapse;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>One run of the reference counting experiment (a mode and a seed), with everything measured on its probe latents.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Seed">The seed (of the data, the probes and the model).</param>
/// <param name="Run">The training result and the latents' analysis against the finite-data relation of the aux trained on.</param>
/// <param name="CountGroups">Counts that stay apart among the training observations: counts sharing a latent cluster are merged; 9 means no cluster mixes two counts.</param>
/// <param name="ClusterAccuracy">Nearest-centroid count accuracy on the held-out probes, centroids from the training observations.</param>
/// <param name="ClusterAccuracyInSample">The reference's cluster accuracy: centroids from the probes themselves, scored on them.</param>
/// <param name="Shape">Linear probe for the object shape, trained on the training observations, scored on the probes (count 0 skipped).</param>
/// <param name="Colour">Linear probe for the brightest colour channel.</param>
/// <param name="Position">Linear probe for the quadrant of the objects' mean centre.</param>
/// <param name="DecoderMse">The decoder probe's per-pixel squared error on the probes.</param>
/// <param name="DecoderBaselineMse">The same for the training images' mean image.</param>
/// <param name="ProbeCounts">The count of every probe observation.</param>
/// <param name="ProbeLatents">The probes' latents, row-major.</param>
/// <param name="Pca">The probe latents on their first two principal axes (row-major pairs).</param>
/// <param name="Tsne">The probe latents' exact t-SNE embedding (perplexity 30; row-major pairs).</param>
/// <param name="Reconstructions">The decoder's reconstructions of the first probes (row-major images, for the figure).</param>
/// <param name="Seconds">Wall time of the run: training, evaluation and probes.</param>
public sealed record ReferenceOutcome(
    ReferenceMode Mode,
    ulong Seed,
    TrainingRun Run,
    int CountGroups,
    ProbeResult? ClusterAccuracy,
    ProbeResult? ClusterAccuracyInSample,
    ProbeResult? Shape,
    ProbeResult? Colour,
    ProbeResult? Position,
    double DecoderMse,
    double DecoderBaselineMse,
    ImmutableArray<int> ProbeCounts,
    float[] ProbeLatents,
    double[] Pca,
    double[] Tsne,
    float[] Reconstructions,
    double Seconds)
{
    /// <summary>
    /// The theorem's verdict, short: <c>certified</c>, <c>apart, not certified</c>, <c>apart</c> (no certificate: the
    /// two-hot head has none), <c>collapsed</c>, <c>diverged</c>, or <c>n/a</c> for the ablations whose premise is not trained.
    /// </summary>
    public string Verdict => Run.Result.Status == Learning.Jepa.TrainingStatus.Diverged ? "diverged"
        : !ReferenceModes.TheoremApplies(Mode) ? "n/a"
        : Run.Separation.Certificate is null && Run.Separation.Verdict != SeparationVerdict.Collapsed ? "apart"
        : Run.Separation.VerdictText;
}
