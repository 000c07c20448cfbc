namespace Jepa.Verify.Pipeline;

/// <summary>The verdict on a model's latents (docs/certificate.md): what <c>train</c>, <c>assess</c> and <c>check</c> exit with.</summary>
public enum SeparationVerdict
{
    /// <summary>Every non-equivalent pair has a positive certified lower bound on its latent distance, and none is within the tolerance. Exit 0.</summary>
    Certified,

    /// <summary>No non-equivalent pair is within the tolerance, but the certificate does not cover every pair, or heads were given and gave none (an op without a bound: exit 3); or no heads were given (latents alone: exit 0).</summary>
    Apart,

    /// <summary>A non-equivalent pair is within the tolerance: unhealthy collapse. Exit 1, whatever the certificate says.</summary>
    Collapsed,
}
