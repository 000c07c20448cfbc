using System.Collections.Immutable;
namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// The finite-data distinguishability relation of DESIGN.md §1 on a partial deterministic
/// transition table: a pair is distinguishable when its aux keys differ, or when some action is
/// defined on both and leads to a distinguishable pair. It is the least such relation. It is
/// symmetric but need not be transitive, so it is stored as a set of unordered pairs.
/// </summary>
/// <remarks>
/// Computed by backward propagation over pairs: start from the pairs whose keys differ, and for
/// each newly distinguishable pair <c>(u, v)</c> and action <c>a</c>, mark every pair
/// <c>(s, t)</c> with <c>T(s,a) = u</c>, <c>T(t,a) = v</c>. Each pair is queued at most once.
/// Memory: one bit per pair plus a queue of at most one int per distinguishable pair, so the
/// number of pairs <c>n(n−1)/2</c> is limited (<see cref="DefaultMaxPairs"/>, about 8,192
/// observations) and refused before anything is allocated.
/// </remarks>
public sealed class DistinguishabilityRelation : IDistinguishedPairs
{
    /// <summary>The default pair limit: 2^25 pairs (8,192 observations; at most 4 MiB of bits and 128 MiB of queue).</summary>
    public const long DefaultMaxPairs = 1L << 25;

    private readonly ulong[] bits;

    private DistinguishabilityRelation(int size, ulong[] bits, long count)
    {
        Size = size;
        this.bits = bits;
        DistinguishedCount = count;
    }

    /// <summary>Number of states.</summary>
    public int Size { get; }

    /// <summary>Number of unordered distinguishable pairs.</summary>
    public long DistinguishedCount { get; }

    /// <summary>Number of unordered pairs of distinct states.</summary>
    public long PairCount => (long)Size * (Size - 1) / 2;

    /// <inheritdoc/>
    ImmutableArray<int>? IDistinguishedPairs.Classes => null;

    /// <inheritdoc/>
    bool IDistinguishedPairs.AreDistinguished(int a, int b) => IsDistinguished(a, b);

    /// <summary>True when the two states are distinguishable (false for a state with itself).</summary>
    public bool IsDistinguished(int a, int b)
    {
        if (a == b)
        {
            return false;
        }

        var index = PairIndex(Math.Min(a, b), Math.Max(a, b));
        return (bits[index >> 6] & (1UL << (int)(index & 63))) != 0;
    }

    /// <summary>The pairs <c>(a &lt; b)</c> that are not distinguishable, in increasing order of <c>b</c> then <c>a</c>.</summary>
    public IEnumerable<(int A, int B)> Undistinguished()
    {
        for (var b = 1; b < Size; b++)
        {
            for (var a = 0; a < b; a++)
            {
                if (!IsDistinguished(a, b))
                {
                    yield return (a, b);
                }
            }
        }
    }

    /// <summary>Computes the relation.</summary>
    /// <param name="table">A deterministic, possibly partial table.</param>
    /// <param name="keys">Aux keys per state.</param>
    /// <param name="maxPairs">The pair limit, e.g. <see cref="DefaultMaxPairs"/>.</param>
    /// <exception cref="RelationTooLargeException">When <c>n(n−1)/2</c> exceeds <paramref name="maxPairs"/>.</exception>
    /// <exception cref="ArgumentException">When the keys have the wrong length.</exception>
    public static DistinguishabilityRelation Compute(TransitionTable table, ReadOnlySpan<int> keys, long maxPairs = DefaultMaxPairs)
    {
        var n = table.States;
        var k = table.Actions;
        if (keys.Length != n)
        {
            throw new ArgumentException($"expected {n} keys, got {keys.Length}", nameof(keys));
        }

        var pairs = (long)n * (n - 1) / 2;
        if (pairs > maxPairs || pairs > int.MaxValue)
        {
            throw new RelationTooLargeException(
                $"the finite-data relation over {n} observations has {pairs} pairs, more than the limit of {Math.Min(maxPairs, int.MaxValue)}; " +
                "use --missing sink (a partition, no pair limit), complete the data, or raise --max-pairs");
        }

        var bits = new ulong[(pairs + 63) / 64];
        var queue = new List<int>();
        for (var b = 1; b < n; b++)
        {
            for (var a = 0; a < b; a++)
            {
                if (keys[a] != keys[b])
                {
                    var index = PairIndex(a, b);
                    bits[index >> 6] |= 1UL << (int)(index & 63);
                    queue.Add((int)index);
                }
            }
        }

        // Predecessors per (action, target) over the defined transitions only.
        var predStart = new int[(long)n * k + 1];
        var succ = table.Successors;
        for (var s = 0; s < n; s++)
        {
            for (var a = 0; a < k; a++)
            {
                var t = succ[s * k + a];
                if (t >= 0)
                {
                    predStart[a * n + t + 1]++;
                }
            }
        }

        for (var i = 0; i < predStart.Length - 1; i++)
        {
            predStart[i + 1] += predStart[i];
        }

        var preds = new int[predStart[^1]];
        var fill = predStart[..^1];
        for (var s = 0; s < n; s++)
        {
            for (var a = 0; a < k; a++)
            {
                var t = succ[s * k + a];
                if (t >= 0)
                {
                    preds[fill[a * n + t]++] = s;
                }
            }
        }

        for (var head = 0; head < queue.Count; head++)
        {
            var (u, v) = PairOf(queue[head]);
            for (var a = 0; a < k; a++)
            {
                var baseIndex = a * n;
                for (var p = predStart[baseIndex + u]; p < predStart[baseIndex + u + 1]; p++)
                {
                    var s = preds[p];
                    for (var q = predStart[baseIndex + v]; q < predStart[baseIndex + v + 1]; q++)
                    {
                        var t = preds[q];
                        if (s == t)
                        {
                            continue;
                        }

                        var index = PairIndex(Math.Min(s, t), Math.Max(s, t));
                        ref var word = ref bits[index >> 6];
                        var bit = 1UL << (int)(index & 63);
                        if ((word & bit) == 0)
                        {
                            word |= bit;
                            queue.Add((int)index);
                        }
                    }
                }
            }
        }

        return new DistinguishabilityRelation(n, bits, queue.Count);
    }

    private static long PairIndex(int a, int b) => (long)b * (b - 1) / 2 + a;

    private static (int A, int B) PairOf(long index)
    {
        var b = (int)((1 + Math.Sqrt(1 + 8.0 * index)) / 2);
        while ((long)b * (b - 1) / 2 > index)
        {
            b--;
        }

        while ((long)(b + 1) * b / 2 <= index)
        {
            b++;
        }

        return ((int)(index - (long)b * (b - 1) / 2), b);
    }
}
