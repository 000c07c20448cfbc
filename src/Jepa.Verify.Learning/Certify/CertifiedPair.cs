namespace Jepa.Verify.Learning.Certify;

/// <summary>One non-equivalent pair with its latent distance and its certified lower bound, both relative to the latent scale.</summary>
/// <param name="A">The first observation (the smaller index).</param>
/// <param name="B">The second observation.</param>
/// <param name="Distance">‖E(a) − E(b)‖ / scale.</param>
/// <param name="Bound">The certified lower bound on it / scale (0: not certified).</param>
public sealed record CertifiedPair(int A, int B, double Distance, double Bound);
