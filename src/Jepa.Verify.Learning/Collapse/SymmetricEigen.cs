namespace Jepa.Verify.Learning.Collapse;

/// <summary>Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (double precision).</summary>
/// <remarks>
/// Sweeps until the off-diagonal mass is below 1e-22 of the total (or 100 sweeps); O(d³) per sweep,
/// fine for latent dimensions up to a few hundred. Deterministic: a fixed rotation order.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>The eigenvalues of the symmetric <c>[d×d]</c> row-major matrix <paramref name="matrix"/>, descending.</summary>
    public static double[] Values(double[] matrix, int d) => Decompose(matrix, d, vectors: false).Values;

    /// <summary>
    /// Eigenvalues (descending) and unit eigenvectors: column <c>i</c> of the row-major <c>[d×d]</c>
    /// <c>Vectors</c> belongs to <c>Values[i]</c>, its sign fixed so its largest-magnitude entry is positive.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int d) => Decompose(matrix, d, vectors: true);

    private static (double[] Values, double[] Vectors) Decompose(double[] matrix, int d, bool vectors)
    {
        var a = (double[])matrix.Clone();
        var v = new double[vectors ? d * d : 0];
        for (var i = 0; vectors && i < d; i++)
        {
            v[(i * d) + i] = 1;
        }

        double total = 0;
        foreach (var x in a)
        {
            total += x * x;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    off += a[(p * d) + q] * a[(p * d) + q];
                }
            }

            if (!(off > 1e-22 * total))
            {
                break;
            }

            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    Rotate(a, vectors ? v : null, d, p, q);
                }
            }
        }

        var order = Enumerable.Range(0, d).OrderByDescending(i => a[(i * d) + i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => a[(i * d) + i]).ToArray();
        if (!vectors)
        {
            return (values, v);
        }

        var sorted = new double[d * d];
        for (var j = 0; j < d; j++)
        {
            var largest = 0.0;
            for (var k = 0; k < d; k++)
            {
                largest = Math.Abs(v[(k * d) + order[j]]) > Math.Abs(largest) ? v[(k * d) + order[j]] : largest;
            }

            var sign = largest < 0 ? -1 : 1;
            for (var k = 0; k < d; k++)
            {
                sorted[(k * d) + j] = sign * v[(k * d) + order[j]];
            }
        }

        return (values, sorted);
    }

    private static void Rotate(double[] a, double[]? vectors, int d, int p, int q)
    {
        var apq = a[(p * d) + q];
        if (apq == 0)
        {
            return;
        }

        var theta = (a[(q * d) + q] - a[(p * d) + p]) / (2 * apq);
        var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        if (theta == 0)
        {
            t = 1;
        }

        var c = 1 / Math.Sqrt((t * t) + 1);
        var s = t * c;
        for (var k = 0; k < d; k++)
        {
            var akp = a[(k * d) + p];
            var akq = a[(k * d) + q];
            a[(k * d) + p] = (c * akp) - (s * akq);
            a[(k * d) + q] = (s * akp) + (c * akq);
            if (vectors is not null)
            {
                var vkp = vectors[(k * d) + p];
                var vkq = vectors[(k * d) + q];
                vectors[(k * d) + p] = (c * vkp) - (s * vkq);
                vectors[(k * d) + q] = (s * vkp) + (c * vkq);
            }
        }

        for (var k = 0; k < d; k++)
        {
            var apk = a[(p * d) + k];
            var aqk = a[(q * d) + k];
            a[(p * d) + k] = (c * apk) - (s * aqk);
            a[(q * d) + k] = (s * apk) + (c * aqk);
        }
    }
}
