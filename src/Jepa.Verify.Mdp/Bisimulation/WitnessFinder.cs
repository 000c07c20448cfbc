namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>Finds shortest distinguishing sequences by breadth-first search over pairs of states.</summary>
public static class WitnessFinder
{
    /// <summary>The default cap on pairs visited by one search.</summary>
    public const int DefaultMaxVisited = 10_000_000;

    /// <summary>
    /// A shortest action sequence after which <paramref name="a"/> and <paramref name="b"/> reach
    /// states with different keys, following only actions defined on both.
    /// </summary>
    /// <param name="table">The transition table (partial or complete).</param>
    /// <param name="keys">Aux keys per state.</param>
    /// <param name="a">First state.</param>
    /// <param name="b">Second state.</param>
    /// <param name="mayDiffer">
    /// A pruning test: false for pairs known to be indistinguishable (e.g. same bisimulation class),
    /// which the search then skips. Pass <c>(_, _) =&gt; true</c> for a plain search.
    /// </param>
    /// <param name="maxVisited">Cap on visited pairs.</param>
    /// <returns>The witness, or null when no sequence distinguishes the pair.</returns>
    /// <exception cref="RelationTooLargeException">When the search would visit more than <paramref name="maxVisited"/> pairs.</exception>
    public static Witness? Shortest(TransitionTable table, ReadOnlySpan<int> keys, int a, int b, Func<int, int, bool> mayDiffer, int maxVisited = DefaultMaxVisited)
    {
        if (keys[a] != keys[b])
        {
            return new Witness([], a, b);
        }

        if (a == b || !mayDiffer(a, b))
        {
            return null;
        }

        long n = table.States;
        var nodes = new List<(int U, int V, int Parent, int Action)> { (a, b, -1, -1) };
        var visited = new HashSet<long> { a * n + b };
        for (var head = 0; head < nodes.Count; head++)
        {
            var (u, v, _, _) = nodes[head];
            for (var act = 0; act < table.Actions; act++)
            {
                var su = table.Successor(u, act);
                var sv = table.Successor(v, act);
                if (su < 0 || sv < 0 || su == sv || !visited.Add(su * n + sv))
                {
                    continue;
                }

                if (keys[su] != keys[sv])
                {
                    var path = new List<int> { act };
                    for (var at = head; nodes[at].Parent >= 0; at = nodes[at].Parent)
                    {
                        path.Add(nodes[at].Action);
                    }

                    path.Reverse();
                    return new Witness([.. path], su, sv);
                }

                if (!mayDiffer(su, sv))
                {
                    continue;
                }

                if (nodes.Count >= maxVisited)
                {
                    throw new RelationTooLargeException($"the witness search visited {maxVisited} pairs without an answer; the shortest distinguishing sequence is very long");
                }

                nodes.Add((su, sv, head, act));
            }
        }

        return null;
    }
}
