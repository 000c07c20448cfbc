namespace Jepa.Verify.Pipeline.Latents;

/// <summary>One latent vector per observation, row-major in the MDP's observation order, and where it came from.</summary>
/// <param name="Values">Row-major latents: <c>Rows × Dim</c> finite floats.</param>
/// <param name="Rows">How many rows (observations).</param>
/// <param name="Dim">The latent dimension.</param>
/// <param name="Source">Where the latents came from, e.g. <c>file Z.npy</c>.</param>
public sealed record LatentMatrix(float[] Values, int Rows, int Dim, string Source);
