using Jepa.Verify.Environments;
using Jepa.Verify.Environments.Gridworld;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>Tests for <see cref="WitnessWords"/>: the words multi-step training walks.</summary>
public sealed class WitnessWordsTests
{
    /// <summary>Where <paramref name="start"/> goes along the actions, or −1 when one is not observed.</summary>
    private static int Walk(MdpModel mdp, int start, IEnumerable<int> actions)
    {
        var state = start;
        foreach (var a in actions)
        {
            var next = mdp.Transitions.FirstOrDefault(t => t.From == state && t.Action == a, new Transition(-1, -1, -1)).To;
            if (next < 0)
            {
                return -1;
            }

            state = next;
        }

        return state;
    }

    [Fact]
    public void EveryWordIsAShortestWitnessWalkedFromEveryMemberOfBothClasses()
    {
        // The gridworld's classes have two members each (the tints); witnesses run up to 12 actions.
        var mdp = GridworldEnvironment.Build(new GridworldOptions(Features: false));
        var result = Bisimilarity.Compute(mdp);
        var partition = result.Partition!;
        var words = WitnessWords.For(result, seed: 0);
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.True(w.Length >= 3)); // a start and at least two actions
        Assert.Equal(12, words.Max(w => w.Length - 1));
        foreach (var group in words.GroupBy(w => string.Join(",", w.Skip(1))))
        {
            // Walked from members of exactly two classes, whose ends differ in aux after the word and not before its end.
            var classes = group.Select(w => partition.ClassOf[w[0]]).Distinct().ToArray();
            Assert.True(classes.Length == 2 || group.Count() > 4, $"word {group.Key} walked from classes {string.Join(",", classes)}");
            var ends = group.Select(w => mdp.Aux[Walk(mdp, w[0], w.Skip(1))]).Distinct().ToArray();
            Assert.True(ends.Length >= 2, $"word {group.Key} does not tell its starts apart");
        }

        // Seeded: the same result gives the same words.
        Assert.Equal(words.Select(w => string.Join(",", w)), WitnessWords.For(result, seed: 0).Select(w => string.Join(",", w)));
    }

    [Fact]
    public void OneStepDistinctionsGetNoWordAndALargeRelationIsSampled()
    {
        // Counting's pairs are told apart in 0–4 steps: words only for those of two or more.
        var counting = Bisimilarity.Compute(ClassicMdps.Counting());
        Assert.All(WitnessWords.For(counting, 0), w => Assert.True(w.Length - 1 >= 2));
        Assert.Contains(WitnessWords.For(counting, 0), w => w.Length - 1 == 4);

        // 3,000 classes: 4.5 million class pairs, of which at most MaxPairs are searched.
        var random = Bisimilarity.Compute(RandomMdps.Complete(3000, 2, 2, 1));
        var sampled = WitnessWords.For(random, 0);
        Assert.InRange(sampled.Count, 1, 2 * WitnessWords.MaxMembers * WitnessWords.MaxPairs);
    }
}
