using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>One trained mode and seed of the counting experiment, with everything measured on its latents.</summary>
/// <param name="Mode">The training mode.</param>
/// <param name="Seed">The training seed.</param>
/// <param name="Run">The training result and the collapse report against the classes of the aux trained on.</param>
/// <param name="CountGroups">Counts that stay apart: counts sharing a latent cluster are merged; 9 means no cluster mixes two counts.</param>
/// <param name="CountAccuracy">Nearest-centroid count accuracy on the held-out split.</param>
/// <param name="Shape">Linear probe for the object shape (observations with at least one object).</param>
/// <param name="Colour">Linear probe for the brightest colour channel.</param>
/// <param name="Position">Linear probe for the quadrant of the objects' mean centre.</param>
/// <param name="Pca">The latents projected on their first two principal axes (row-major pairs).</param>
public sealed record ModeOutcome(
    TrainingMode Mode,
    ulong Seed,
    TrainingRun Run,
    int CountGroups,
    ProbeResult? CountAccuracy,
    ProbeResult? Shape,
    ProbeResult? Colour,
    ProbeResult? Position,
    double[] Pca)
{
    /// <summary>Both losses below the target: the theorem's premise (approximately).</summary>
    public bool Premise => Run.Result.BothLossesBelowTarget;

    /// <summary>
    /// The verdict on this run (<see cref="Separation.VerdictText"/>): <c>certified</c> (every non-equivalent pair has a
    /// positive bound forced by the residuals), <c>apart, not certified</c>, or <c>collapsed</c>; <c>diverged</c> when
    /// training diverged.
    /// </summary>
    public string Verdict => Run.Result.Status == TrainingStatus.Diverged ? "diverged" : Run.Separation.VerdictText;
}
