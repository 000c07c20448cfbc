namespace Jepa.Verify.Learning.Collapse;

/// <summary>Thresholds of the collapse analysis.</summary>
/// <param name="Tolerance">
/// Two latents closer than <c>Tolerance × scale</c> count as the same point (scale = the RMS latent
/// norm). Default 0.001. Measured on the counting MDP (docs/training.md): joint training to a loss
/// below 1e-4 leaves its closest non-equivalent pair 0.0036–0.0076 apart over 8 seeds (distinct,
/// as the theorem says, but close), while dyn-only training shrinks the latents to 1e-7–6e-4.
/// </param>
/// <param name="MaxListedPairs">How many offending pairs (closest first) the report lists.</param>
/// <param name="MaxObservations">The analysis compares all pairs; it refuses more observations than this.</param>
/// <param name="ListPairs">Whether the certificate lists every non-equivalent pair with its distance and bound (<c>--pairs</c>).</param>
public sealed record CollapseOptions(double Tolerance = 0.001, int MaxListedPairs = 20, int MaxObservations = 200_000, bool ListPairs = false)
{
    /// <summary>The default thresholds.</summary>
    public static CollapseOptions Default { get; } = new();
}
