namespace Jepa.Verify.Learning.Collapse;

/// <summary>Principal component projection of latents, for plots.</summary>
public static class LatentPca
{
    /// <summary>
    /// Projects the <c>n × dim</c> row-major latents onto their first <paramref name="components"/>
    /// principal axes (eigenvectors of the covariance, in double precision, signs fixed so each axis's
    /// largest entry is positive: the same latents always give the same picture).
    /// </summary>
    /// <param name="latents">Row-major latents.</param>
    /// <param name="dim">Latent dimension, e.g. <c>32</c>.</param>
    /// <param name="components">Axes to keep, 1 to <paramref name="dim"/> (2 for a scatter plot).</param>
    /// <returns>The <c>n × components</c> row-major coordinates and the variance along each axis.</returns>
    /// <exception cref="ArgumentException">When the length is not a multiple of <paramref name="dim"/> or <paramref name="components"/> is out of range.</exception>
    public static (double[] Coordinates, double[] Variances) Project(ReadOnlySpan<float> latents, int dim, int components = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(components, dim);
        if (latents.Length % dim != 0)
        {
            throw new ArgumentException($"{latents.Length} values are not rows of {dim}", nameof(latents));
        }

        var n = latents.Length / dim;
        var mean = new double[dim];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                mean[j] += latents[(i * dim) + j];
            }
        }

        for (var j = 0; j < dim; j++)
        {
            mean[j] /= Math.Max(n, 1);
        }

        var cov = new double[dim * dim];
        var row = new double[dim];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                row[j] = latents[(i * dim) + j] - mean[j];
            }

            for (var j = 0; j < dim; j++)
            {
                for (var k = 0; k < dim; k++)
                {
                    cov[(j * dim) + k] += row[j] * row[k];
                }
            }
        }

        for (var j = 0; j < cov.Length; j++)
        {
            cov[j] /= Math.Max(n - 1, 1);
        }

        var (values, vectors) = SymmetricEigen.Decompose(cov, dim);
        var coordinates = new double[n * components];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < components; c++)
            {
                double s = 0;
                for (var j = 0; j < dim; j++)
                {
                    s += (latents[(i * dim) + j] - mean[j]) * vectors[(j * dim) + c];
                }

                coordinates[(i * components) + c] = s;
            }
        }

        return (coordinates, values[..components]);
    }
}
