namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// The coarsest partition of a complete deterministic transition system that refines an initial
/// labelling and is stable under every action: for deterministic MDPs this is exactly
/// bisimilarity when the labels are the aux keys.
/// </summary>
/// <remarks>
/// Hopcroft's algorithm with a refinable partition in the style of Valmari and Lehtinen: states
/// are kept in one array where each block is a contiguous range; marking a state swaps it to the
/// front of its block, and splitting a block makes the smaller part a new block in time linear
/// in that part. A worklist holds blocks to split by; every block created by a split is the
/// smaller half and is pushed (for all actions), and the initial worklist holds all initial blocks
/// but the largest. Each state therefore enters a pushed block at most log₂ n times, so the run
/// time is O(k·n·log n) = O(m log n) with m = k·n transitions. Memory: predecessor lists
/// (m + n ints) and nine arrays of about n ints; the result reuses three of them.
/// It runs on the flat successor table, not on the QuikGraph view (<see cref="Graphs.MdpGraph"/>): QuikGraph
/// has no partition refinement, and reading successors through its per-vertex edge enumerators costs several
/// times the table (a breadth-first search over 10^6 × 4 transitions took 1.4 s through QuikGraph against
/// 0.33 s on arrays on the same machine), so <c>bench bisim</c> would slow down by the same factor.
/// </remarks>
public static class PartitionRefinement
{
    /// <summary>How many predecessors are looked ahead at a time (their lines stay in the first-level caches).</summary>
    private const int Chunk = 256;

    /// <summary>Where the look-ahead loads go, so that they are not dropped as unused.</summary>
    private static long sink;

    /// <summary>Computes the coarsest stable refinement.</summary>
    /// <param name="table">A complete table (<see cref="TransitionTable.IsComplete"/>).</param>
    /// <param name="keys">A non-negative initial label per state (e.g. from <see cref="AuxKeys"/>).</param>
    /// <returns>The partition, numbered canonically.</returns>
    /// <exception cref="ArgumentException">When the table is partial, or the keys have the wrong length or a negative entry.</exception>
    public static Partition Coarsest(TransitionTable table, ReadOnlySpan<int> keys)
    {
        if (!table.IsComplete)
        {
            throw new ArgumentException("the table has missing transitions; complete it (e.g. WithSink) or use the distinguishability relation", nameof(table));
        }

        var n = table.States;
        var k = table.Actions;
        if (keys.Length != n)
        {
            throw new ArgumentException($"expected {n} keys, got {keys.Length}", nameof(keys));
        }

        if ((long)n * k >= int.MaxValue)
        {
            throw new ArgumentException($"{(long)n * k} transitions are more than this implementation indexes (2^31 - 1)", nameof(table));
        }

        var keyCount = 0;
        foreach (var key in keys)
        {
            if (key < 0)
            {
                throw new ArgumentException("keys must be non-negative", nameof(keys));
            }

            keyCount = Math.Max(keyCount, key + 1);
        }

        if (n == 0)
        {
            return Partition.FromDenseLabels([], 0);
        }

        var (predStart, preds) = Predecessors(table);
        var elems = new int[n];
        var loc = new int[n];
        var blockOf = new int[n];
        var first = new int[n];
        var end = new int[n];
        var mid = new int[n];
        var stack = new int[n];
        var touched = new int[n];

        // Per splitter state: for each of its states, a cursor into its predecessor list and the list's end.
        var cursor = new int[(n / 2) + 1];
        var found = new int[n]; // the a-predecessors of one splitter: at most one per state
        var cursorEnd = new int[(n / 2) + 1];

        // Initial blocks by counting sort on the keys; empty keys make no block.
        var keyStart = new int[keyCount + 1];
        foreach (var key in keys)
        {
            keyStart[key + 1]++;
        }

        for (var i = 0; i < keyCount; i++)
        {
            keyStart[i + 1] += keyStart[i];
        }

        var blockOfKey = new int[keyCount];
        var blocks = 0;
        var largest = -1;
        for (var key = 0; key < keyCount; key++)
        {
            if (keyStart[key + 1] > keyStart[key])
            {
                blockOfKey[key] = blocks;
                first[blocks] = mid[blocks] = keyStart[key];
                end[blocks] = keyStart[key + 1];
                if (largest < 0 || end[blocks] - first[blocks] > end[largest] - first[largest])
                {
                    largest = blocks;
                }

                blocks++;
            }
        }

        for (var s = 0; s < n; s++)
        {
            var pos = keyStart[keys[s]]++;
            elems[pos] = s;
            loc[s] = pos;
            blockOf[s] = blockOfKey[keys[s]];
        }

        var top = 0;
        for (var b = 0; b < blocks; b++)
        {
            if (b != largest)
            {
                stack[top++] = b;
            }
        }

        while (top > 0)
        {
            // Snapshot the splitter's predecessor ranges before any marking reorders it. Splitting
            // by the splitter as it was when popped is sound (it is a union of current blocks), and
            // any part split off meanwhile is pushed and processed on its own, as in Hopcroft's proof.
            var splitter = stack[--top];
            var len = end[splitter] - first[splitter];
            for (int i = 0, e = first[splitter]; i < len; i++, e++)
            {
                var t = elems[e];
                cursor[i] = predStart[t];
                cursorEnd[i] = predStart[t + 1];
            }

            for (var a = 0; a < k; a++)
            {
                // Entries are a·n + s, sorted by action within each target: those below `limit`
                // at each cursor are exactly the a-predecessors.
                var offset = a * n;
                var limit = offset + n;
                var touchedCount = 0;
                var count = 0;
                for (var i = 0; i < len; i++)
                {
                    var c = cursor[i];
                    var ce = cursorEnd[i];
                    while (c < ce && preds[c] < limit)
                    {
                        found[count++] = preds[c++] - offset;
                    }

                    cursor[i] = c;
                }

                for (var from = 0; from < count; from += Chunk)
                {
                    var to = Math.Min(count, from + Chunk);

                    // Load each state's block and place before marking: independent loads, so their cache
                    // misses overlap (as in IdTable.IndexOfMany); the marking below then finds them in cache.
                    long ahead = 0;
                    for (var j = from; j < to; j++)
                    {
                        ahead += blockOf[found[j]] + loc[found[j]];
                    }

                    for (var j = from; j < to; j++)
                    {
                        ahead += mid[blockOf[found[j]]];
                    }

                    Volatile.Write(ref sink, ahead);
                    for (var j = from; j < to; j++)
                    {
                        var s = found[j];
                        var blk = blockOf[s];
                        var pos = loc[s];
                        var m = mid[blk];
                        if (pos >= m)
                        {
                            if (m == first[blk])
                            {
                                touched[touchedCount++] = blk;
                            }

                            var other = elems[m];
                            elems[m] = s;
                            loc[s] = m;
                            elems[pos] = other;
                            loc[other] = pos;
                            mid[blk] = m + 1;
                        }
                    }
                }

                for (var ti = 0; ti < touchedCount; ti++)
                {
                    var blk = touched[ti];
                    int f = first[blk], m = mid[blk], e = end[blk];
                    mid[blk] = f;
                    if (m == e)
                    {
                        continue;
                    }

                    var nb = blocks++;
                    if (m - f <= e - m)
                    {
                        first[nb] = mid[nb] = f;
                        end[nb] = m;
                        first[blk] = mid[blk] = m;
                    }
                    else
                    {
                        first[nb] = mid[nb] = m;
                        end[nb] = e;
                        end[blk] = m;
                    }

                    for (var i = first[nb]; i < end[nb]; i++)
                    {
                        blockOf[elems[i]] = nb;
                    }

                    stack[top++] = nb;
                }
            }
        }

        // The block arrays are free now: reuse them to number the classes canonically.
        return Partition.TakeOver(blockOf, blocks, mid, first);
    }

    /// <summary>
    /// Predecessor lists grouped by target: the predecessors of <c>t</c> are the entries
    /// <c>preds[predStart[t] .. predStart[t+1])</c>, each encoded as <c>a·n + s</c> for
    /// <c>T(s, a) = t</c> and sorted by action, then source. Memory: n + 1 + k·n ints.
    /// </summary>
    private static (int[] PredStart, int[] Preds) Predecessors(TransitionTable table)
    {
        var n = table.States;
        var k = table.Actions;
        var succ = table.Successors;
        var predStart = new int[n + 1];
        foreach (var t in succ)
        {
            predStart[t + 1]++;
        }

        for (var t = 0; t < n; t++)
        {
            predStart[t + 1] += predStart[t];
        }

        // Fill action-major so each target's entries come out sorted by action; each fill moves
        // predStart[t] to the end of t's range, and the shift below restores the starts.
        var preds = new int[succ.Length];
        for (var a = 0; a < k; a++)
        {
            var offset = a * n;
            for (var s = 0; s < n; s++)
            {
                preds[predStart[succ[s * k + a]]++] = offset + s;
            }
        }

        for (var t = n - 1; t > 0; t--)
        {
            predStart[t] = predStart[t - 1];
        }

        predStart[0] = 0;
        return (predStart, preds);
    }
}
