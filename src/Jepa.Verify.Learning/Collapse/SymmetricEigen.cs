using MathNet.Numerics.LinearAlgebra;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>Eigenvalues and eigenvectors of a symmetric matrix (double precision), through MathNet's symmetric EVD.</summary>
/// <remarks>
/// MathNet.Numerics 5.0's managed Householder tridiagonalisation and QL iteration: O(d³) once, about a second at d = 1,000,
/// where the cyclic Jacobi sweeps this replaced took minutes. Deterministic (no threads, no randomness). Callers keep
/// d small where they can: the spectrum of n latents of dimension d is the Gram matrix's of size min(n, d)
/// (<see cref="CollapseAnalysis"/>).
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>The eigenvalues of the symmetric <c>[d×d]</c> row-major matrix <paramref name="matrix"/>, descending.</summary>
    public static double[] Values(double[] matrix, int d) => Decompose(matrix, d).Values;

    /// <summary>
    /// Eigenvalues (descending) and unit eigenvectors: column <c>i</c> of the row-major <c>[d×d]</c>
    /// <c>Vectors</c> belongs to <c>Values[i]</c>, its sign fixed so its largest-magnitude entry is positive.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int d)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (d == 0)
        {
            return ([], []);
        }

        // Row-major and column-major agree for a symmetric matrix.
        var evd = Matrix<double>.Build.Dense(d, d, matrix).Evd(Symmetricity.Symmetric);
        var raw = evd.EigenValues.Select(c => c.Real).ToArray();
        var v = evd.EigenVectors;
        var order = Enumerable.Range(0, d).OrderByDescending(i => raw[i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => raw[i]).ToArray();
        var sorted = new double[d * d];
        for (var j = 0; j < d; j++)
        {
            var largest = 0.0;
            for (var k = 0; k < d; k++)
            {
                largest = Math.Abs(v[k, order[j]]) > Math.Abs(largest) ? v[k, order[j]] : largest;
            }

            var sign = largest < 0 ? -1 : 1;
            for (var k = 0; k < d; k++)
            {
                sorted[(k * d) + j] = sign * v[k, order[j]];
            }
        }

        return (values, sorted);
    }
}
