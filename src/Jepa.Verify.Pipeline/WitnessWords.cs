using System.Collections.Immutable;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// The walks multi-step training rolls the model out along (<see cref="Learning.Jepa.PJepaConfig.Horizon"/>): for pairs
/// the theorem forces apart, a shortest word that tells them apart, walked from both. These are the words the
/// certificate's rollout clause rolls out, and the ones random walks rarely take (through a door, to a rare reward).
/// </summary>
public static class WitnessWords
{
    /// <summary>The most pairs whose words are searched (each search is a breadth-first search over pairs).</summary>
    public const int MaxPairs = 2048;

    /// <summary>The most pairs one word's breadth-first search visits (the whole collection stays within MaxPairs × this).</summary>
    public const int MaxVisited = 20_000;

    /// <summary>The most members of a class that walk its pairs' words.</summary>
    public const int MaxMembers = 8;

    /// <summary>
    /// Words <c>[start, action₁, …, action_k]</c> with k ≥ 2 (one-step distinctions are the one-step losses' already):
    /// with a partition, for pairs of classes (searched from their first members, walked from up to
    /// <see cref="MaxMembers"/> members of each), else for pairs of observations, in a seeded order, up to
    /// <see cref="MaxPairs"/> pairs; both ends of a pair get its word.
    /// </summary>
    public static IReadOnlyList<ImmutableArray<int>> For(BisimulationResult result, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (units, members) = result.Partition is { } partition
            ? (partition.Count, (Func<int, int[]>)(c => partition.Members(c)[..Math.Min(MaxMembers, partition.Members(c).Length)].ToArray()))
            : (result.ObservationCount, o => [o]);
        var total = (long)units * (units - 1) / 2;
        var random = new SeededRandom(seed ^ 0x7769746E65737365UL);
        var words = new List<ImmutableArray<int>>();
        var tried = new HashSet<long>();
        // Every pair when there are few; otherwise a seeded sample (with repeats skipped).
        for (long i = 0; i < Math.Min(total, MaxPairs) * (total <= MaxPairs ? 1 : 4) && tried.Count < MaxPairs; i++)
        {
            var (u, v) = total <= MaxPairs ? Unrank(i, units) : Ordered(random.NextInt(units), random.NextInt(units));
            if (u == v || !tried.Add(((long)u * units) + v))
            {
                continue;
            }

            var (a, b) = (members(u)[0], members(v)[0]);
            Witness? witness;
            try
            {
                witness = result.AreDistinguished(a, b) ? result.Witness(a, b, MaxVisited) : null;
            }
            catch (RelationTooLargeException)
            {
                continue; // a search too large for training's purposes: this pair gets no word (the certificate does not depend on it)
            }

            if (witness is { Actions.Length: >= 2 } w)
            {
                // Bisimilar observations follow the word alike, but their latents differ: the rollouts of each are trained.
                foreach (var start in members(u).Concat(members(v)))
                {
                    words.Add([start, .. w.Actions]);
                }
            }
        }

        return words;

        static (int, int) Ordered(int x, int y) => x < y ? (x, y) : (y, x);
    }

    /// <summary>The <paramref name="rank"/>-th pair (u &lt; v) in row order over <paramref name="n"/> units.</summary>
    private static (int U, int V) Unrank(long rank, int n)
    {
        var u = 0;
        while (rank >= n - 1 - u)
        {
            rank -= n - 1 - u;
            u++;
        }

        return (u, u + 1 + (int)rank);
    }
}
