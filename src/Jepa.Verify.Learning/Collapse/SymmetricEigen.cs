namespace Jepa.Verify.Learning.Collapse;

/// <summary>Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (double precision).</summary>
/// <remarks>
/// Sweeps until the off-diagonal mass is below 1e-22 of the total (or 100 sweeps); O(d³) per sweep,
/// fine for latent dimensions up to a few hundred. Deterministic: a fixed rotation order.
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>The eigenvalues of the symmetric <c>[d×d]</c> row-major matrix <paramref name="matrix"/>, descending.</summary>
    public static double[] Values(double[] matrix, int d)
    {
        var a = (double[])matrix.Clone();
        double total = 0;
        foreach (var v in a)
        {
            total += v * v;
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
                    Rotate(a, d, p, q);
                }
            }
        }

        var values = new double[d];
        for (var i = 0; i < d; i++)
        {
            values[i] = a[(i * d) + i];
        }

        Array.Sort(values, (x, y) => y.CompareTo(x));
        return values;
    }

    private static void Rotate(double[] a, int d, int p, int q)
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
