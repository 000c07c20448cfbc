namespace Jepa.Verify.Learning.Collapse;

/// <summary>Two non-equivalent observations whose latents are within the tolerance.</summary>
/// <param name="A">The first observation's index.</param>
/// <param name="B">The second observation's index (A &lt; B).</param>
/// <param name="Distance">Their latent distance relative to the scale.</param>
public readonly record struct OffendingPair(int A, int B, double Distance);
