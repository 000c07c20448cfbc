using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// Turns auxiliary values into dense integer keys (<c>0 … Count−1</c>, numbered in order of first
/// appearance) so that two observations have the same key exactly when the theorem treats their
/// aux values as equal.
/// </summary>
/// <remarks>
/// With tolerance 0 values compare exactly (<c>0.0 = -0.0</c>). With a tolerance <c>t &gt; 0</c>
/// each component <c>v</c> is first snapped to the bucket <c>round(v / t)</c> (round half to
/// even), and values are equal when all their buckets are. Bucketing keeps the relation an
/// equivalence: values in one bucket differ by at most <c>t</c>, but two values closer than
/// <c>t</c> can still straddle a bucket boundary and stay distinct. A tolerance so small that some
/// <c>v / t</c> overflows to infinity is refused (<see cref="ToleranceProblem"/>): every such value would
/// share the bucket ∞, and different values would wrongly compare equal.
/// </remarks>
public static class AuxKeys
{
    /// <summary>Computes the keys.</summary>
    /// <param name="aux">Aux values; all must be finite and present (check conditions first).</param>
    /// <param name="tolerance">0 for exact comparison, else the bucket width, e.g. <c>1e-6</c>.</param>
    /// <exception cref="ArgumentException">On a missing or non-finite value, or a negative or non-finite tolerance.</exception>
    public static int[] Compute(IReadOnlyList<AuxValue> aux, double tolerance = 0)
    {
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentException($"tolerance must be a finite number >= 0, got {tolerance}", nameof(tolerance));
        }

        var keys = new int[aux.Count];
        var map = new Dictionary<AuxValue, int>();
        for (var i = 0; i < keys.Length; i++)
        {
            var v = aux[i];
            if (!v.IsFinite)
            {
                throw new ArgumentException($"aux value {i} is {v}; every value must be finite", nameof(aux));
            }

            var key = tolerance == 0 ? v : Bucket(v, tolerance);
            if (!map.TryGetValue(key, out var k))
            {
                k = map.Count;
                map[key] = k;
            }

            keys[i] = k;
        }

        return keys;
    }

    /// <summary>The bucket of a value at a tolerance, as an aux value of bucket indices.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a component divided by the tolerance is not a finite number.</exception>
    public static AuxValue Bucket(AuxValue value, double tolerance)
    {
        var c = value.Components;
        var b = new double[c.Length];
        for (var i = 0; i < b.Length; i++)
        {
            var q = c[i] / tolerance;
            if (!double.IsFinite(q))
            {
                throw new ArgumentOutOfRangeException(nameof(tolerance), $"aux component {AuxValue.Format(c[i])} / tolerance {AuxValue.Format(tolerance)} overflows; use a larger tolerance or 0");
            }

            b[i] = Math.Round(q, MidpointRounding.ToEven);
        }

        return new AuxValue(ImmutableArray.Create(b));
    }

    /// <summary>
    /// Why <paramref name="tolerance"/> cannot bucket these values (some <c>v / t</c> overflows), or null.
    /// Example: aux 1e10 at tolerance 1e-300 gives 1e310, beyond the double range.
    /// </summary>
    public static string? ToleranceProblem(IReadOnlyList<AuxValue> aux, double tolerance)
    {
        if (tolerance == 0)
        {
            return null;
        }

        var largest = 0.0;
        foreach (var v in aux)
        {
            foreach (var c in v.Components)
            {
                if (double.IsFinite(c))
                {
                    largest = Math.Max(largest, Math.Abs(c));
                }
            }
        }

        var smallest = largest / double.MaxValue;
        return double.IsFinite(largest / tolerance) ? null
            : $"the aux value {AuxValue.Format(largest)} divided by the tolerance {AuxValue.Format(tolerance)} overflows, so every large value would share one bucket; use a tolerance of at least {AuxValue.Format(smallest * 2)}, or 0 for exact comparison";
    }
}
