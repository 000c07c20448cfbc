using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties.Generators;

/// <summary>Slow, obviously-correct reference algorithms the fast ones are checked against.</summary>
public static class Naive
{
    /// <summary>
    /// Moore's fixpoint: start from the aux partition and refine by (own class, successor classes)
    /// signatures until the number of classes stops growing. Missing successors count as -1.
    /// Returns a class label per state (not canonical).
    /// </summary>
    public static int[] Bisimulation(MdpSpec m)
    {
        var cls = (int[])m.Aux.Clone();
        while (true)
        {
            var sig = new Dictionary<string, int>();
            var next = new int[m.States];
            for (var s = 0; s < m.States; s++)
            {
                var parts = new List<int> { cls[s] };
                for (var a = 0; a < m.Actions; a++)
                {
                    var t = m.Successors[s * m.Actions + a];
                    parts.Add(t < 0 ? -1 : cls[t]);
                }

                var key = string.Join(",", parts);
                if (!sig.TryGetValue(key, out var c))
                {
                    c = sig.Count;
                    sig[key] = c;
                }

                next[s] = c;
            }

            if (sig.Count == cls.Distinct().Count())
            {
                return next;
            }

            cls = next;
        }
    }

    /// <summary>
    /// The finite-data relation by plain iteration to a fixpoint over all pairs: distinguished if
    /// aux differs, or some action defined on both leads to a distinguished pair.
    /// </summary>
    public static bool[,] Distinguishable(MdpSpec m)
    {
        var d = new bool[m.States, m.States];
        for (var i = 0; i < m.States; i++)
        {
            for (var j = 0; j < m.States; j++)
            {
                d[i, j] = m.Aux[i] != m.Aux[j];
            }
        }

        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < m.States; i++)
            {
                for (var j = 0; j < m.States; j++)
                {
                    if (d[i, j])
                    {
                        continue;
                    }

                    for (var a = 0; a < m.Actions; a++)
                    {
                        var ti = m.Successors[i * m.Actions + a];
                        var tj = m.Successors[j * m.Actions + a];
                        if (ti >= 0 && tj >= 0 && d[ti, tj])
                        {
                            d[i, j] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        while (changed);
        return d;
    }

    /// <summary>
    /// Length of a shortest sequence (over actions defined on both) after which the aux values of
    /// <paramref name="a"/> and <paramref name="b"/> differ, by unpruned BFS over ordered pairs; -1 if none.
    /// </summary>
    public static int ShortestDistinguishingLength(MdpSpec m, int a, int b)
    {
        var dist = new Dictionary<(int, int), int> { [(a, b)] = 0 };
        var queue = new Queue<(int, int)>();
        queue.Enqueue((a, b));
        while (queue.Count > 0)
        {
            var (u, v) = queue.Dequeue();
            if (m.Aux[u] != m.Aux[v])
            {
                return dist[(u, v)];
            }

            for (var act = 0; act < m.Actions; act++)
            {
                var su = m.Successors[u * m.Actions + act];
                var sv = m.Successors[v * m.Actions + act];
                if (su >= 0 && sv >= 0 && dist.TryAdd((su, sv), dist[(u, v)] + 1))
                {
                    queue.Enqueue((su, sv));
                }
            }
        }

        return -1;
    }
}
