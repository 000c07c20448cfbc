using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>One trained mode and seed of the counting experiment, with everything measured on its latents.</summary>
/// <param name="Row">The table row: the mode's name, or <see cref="CountingSettings.MlpRow"/>.</param>
/// <param name="Mode">The training mode.</param>
/// <param name="Seed">The training seed.</param>
/// <param name="Run">The training result and the collapse report against the classes of the aux trained on.</param>
/// <param name="CountGroups">Counts that stay apart: counts sharing a latent cluster are merged; 9 means no cluster mixes two counts.</param>
/// <param name="CountAccuracy">Nearest-centroid count accuracy on the held-out split.</param>
/// <param name="Shape">Linear probe for the object shape (observations with at least one object).</param>
/// <param name="Colour">Linear probe for the brightest colour channel.</param>
/// <param name="Position">Linear probe for the quadrant of the objects' mean centre.</param>
/// <param name="Pca">The latents projected on their first two principal axes (row-major pairs).</param>
/// <param name="IdenticalImagePairs">
/// Non-equivalent pairs (under the aux trained on) whose images are identical: no encoder can separate them, so they are
/// always among the collapsed pairs (under a random aux, the black count-0 images of different families).
/// </param>
/// <param name="Decoder">The decoder probe: per-pixel MSE of reconstructions of the held-out images, and the mean image's; null when not run.</param>
/// <param name="Seconds">Wall-clock time of this run, training and measurements.</param>
public sealed record ModeOutcome(
    string Row,
    TrainingMode Mode,
    ulong Seed,
    TrainingRun Run,
    int CountGroups,
    ProbeResult? CountAccuracy,
    ProbeResult? Shape,
    ProbeResult? Colour,
    ProbeResult? Position,
    double[] Pca,
    long IdenticalImagePairs,
    (double Mse, double MeanImageMse)? Decoder,
    double Seconds)
{
    /// <summary>Both losses below the target: the theorem's premise (approximately).</summary>
    public bool Premise => Run.Result.BothLossesBelowTarget;

    /// <summary>
    /// The verdict on this run (<see cref="Separation.VerdictText"/>): <c>certified</c> (every non-equivalent pair has a
    /// positive bound forced by the residuals), <c>apart, not certified</c>, or <c>collapsed</c>; <c>diverged</c> when
    /// training diverged.
    /// </summary>
    public string Verdict => Run.Result.Status == TrainingStatus.Diverged ? "diverged" : Run.Separation.VerdictText;

    /// <summary>The share of non-equivalent pairs the certificate covers (0 without a certificate), or null when training diverged or there are no such pairs.</summary>
    public double? CertifiedShare => Run.Collapse is { NonEquivalentPairs: > 0 } report
        ? (double)(Run.Certificate?.CertifiedPairs ?? 0) / report.NonEquivalentPairs
        : null;

    /// <summary>Whether every non-equivalent pair with different images is more than the tolerance apart (the collapsed pairs are exactly the identical images).</summary>
    public bool ApartWhereImagesDiffer => Run.Collapse is { } report && report.Violations == IdenticalImagePairs;
}
