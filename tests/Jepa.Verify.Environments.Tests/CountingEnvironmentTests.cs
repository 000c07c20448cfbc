using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Environments.Tests;

/// <summary>Tests for <see cref="CountingRenderer"/> and <see cref="CountingEnvironment"/>.</summary>
public sealed class CountingEnvironmentTests
{
    private static readonly Rgb Grey = new(120, 80, 200);

    /// <summary>Every (count, shape) on many layout seeds, at the smallest and the paper's size.</summary>
    public static TheoryData<int> Sizes => [CountingRenderer.MinSize, 64];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ObjectCountIsRecoverableFromThePixelsExactly(int size)
    {
        for (ulong seed = 0; seed < 40; seed++)
        {
            foreach (var shape in Enum.GetValues<ObjectShape>())
            {
                for (var count = 0; count <= CountingRenderer.MaxCount; count++)
                {
                    var pixels = CountingRenderer.Render(new CountingScene(count, shape, Grey, seed), size);
                    Assert.Equal(count, Blobs(pixels, size));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ObjectsNeverOverlapAndStayInsideTheImage(int size)
    {
        var area = Enum.GetValues<ObjectShape>().ToDictionary(s => s, s => Area(s));
        for (ulong seed = 0; seed < 200; seed++)
        {
            var layout = CountingRenderer.Layout(CountingRenderer.MaxCount, seed, size);
            Assert.Equal(CountingRenderer.MaxCount, layout.Length);
            Assert.All(layout, p => Assert.True(p.X >= 3 && p.Y >= 3 && p.X < size - 3 && p.Y < size - 3));
            for (var i = 0; i < layout.Length; i++)
            {
                for (var j = i + 1; j < layout.Length; j++)
                {
                    var (dx, dy) = (layout[i].X - layout[j].X, layout[i].Y - layout[j].Y);
                    Assert.True((dx * dx) + (dy * dy) >= CountingRenderer.MinCentreDistance * CountingRenderer.MinCentreDistance);
                }
            }

            // No overlap: the coloured pixels are exactly count × the shape's area.
            foreach (var shape in Enum.GetValues<ObjectShape>())
            {
                var pixels = CountingRenderer.Render(new CountingScene(8, shape, Grey, seed), size);
                Assert.Equal(8 * area[shape], Enumerable.Range(0, size * size).Count(p => pixels[3 * p] != 0));
            }
        }
    }

    [Fact]
    public void RenderingIsAPureFunctionOfTheSceneAndFeaturesLieInTheUnitInterval()
    {
        var scene = new CountingScene(5, ObjectShape.Triangle, new Rgb(30, 225, 100), 42);
        Assert.Equal(CountingRenderer.Render(scene, 64), CountingRenderer.Render(scene, 64));
        Assert.NotEqual(CountingRenderer.Render(scene, 64), CountingRenderer.Render(scene with { LayoutSeed = 43 }, 64));
        var features = CountingRenderer.Features(scene, 64);
        Assert.Equal(64 * 64 * 3, features.Length);
        Assert.All(features, f => Assert.InRange(f, -0.5f, 0.5f));
        Assert.Equal(-0.5f, features.Min());
        Assert.Equal((225 / 255f) - 0.5f, features.Max());
        var bytes = CountingRenderer.Render(scene, 64);
        var channelMajor = CountingRenderer.Features(scene, 64, channelMajor: true);
        for (var i = 0; i < 64 * 64; i++)
        {
            for (var ch = 0; ch < 3; ch++)
            {
                Assert.Equal((bytes[(i * 3) + ch] / 255f) - 0.5f, features[(i * 3) + ch]);
                Assert.Equal(features[(i * 3) + ch], channelMajor[(ch * 64 * 64) + i]); // as the convolutional encoder reads
            }
        }

        var (first, second) = (CountingEnvironment.Exact(new CountingOptions(Families: 2, Layouts: 2, Size: 32)), CountingEnvironment.Exact(new CountingOptions(Families: 2, Layouts: 2, Size: 32)));
        Assert.True(first.Features.Zip(second.Features).All(p => p.First.SequenceEqual(p.Second)));
    }

    [Fact]
    public void FamiliesCycleTheShapesAndDrawColoursInRange()
    {
        for (var f = 0; f < 64; f++)
        {
            var (shape, colour) = CountingEnvironment.Family(f, seed: 7);
            Assert.Equal((ObjectShape)(f % 4), shape);
            Assert.All(new[] { colour.R, colour.G, colour.B }, c => Assert.InRange(c, 30, 225));
        }
    }

    [Fact]
    public void ExactMdpHasOneObservationPerFamilyCountAndLayoutWithClippedMoves()
    {
        var mdp = CountingEnvironment.Exact(new CountingOptions(Families: 3, Layouts: 2, Size: 32, Features: false));
        Assert.Equal(3 * 9 * 2, mdp.ObservationCount);
        Assert.Equal(2 * mdp.ObservationCount, mdp.Transitions.Length);
        foreach (var t in mdp.Transitions)
        {
            var (from, to) = (Count(mdp, t.From), Count(mdp, t.To));
            Assert.Equal(t.Action == 0 ? Math.Min(from + 1, 8) : Math.Max(from - 1, 0), to);
            Assert.Equal(mdp.Labels["shape"][t.From], mdp.Labels["shape"][t.To]);
            Assert.Equal(mdp.Labels["colour"][t.From], mdp.Labels["colour"][t.To]);
            if (from == to)
            {
                Assert.Equal(t.From, t.To);
            }
        }

        Assert.Equal(1.0, mdp.Aux[mdp.IndexOfObservation("c4-f2-l1")].Components[0]);
        Assert.Equal(0.0, mdp.Aux[mdp.IndexOfObservation("c3-f2-l1")].Components[0]);
    }

    [Fact]
    public void ClassStructureIsTheNineCountsWhateverTheShapesColoursAndLayouts()
    {
        foreach (var (families, layouts, seed) in new[] { (1, 1, 0UL), (4, 2, 0UL), (4, 2, 99UL), (7, 3, 5UL) })
        {
            var mdp = CountingEnvironment.Exact(new CountingOptions(families, layouts, Size: 32, Seed: seed, Features: false));
            AssertClassesAreCounts(mdp);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void EveryTargetGivesTheNineCountClassesSparseOrDense(int target)
    {
        // Found for every target 0..8: the reward reaches every count by a different number of inc or dec steps.
        foreach (var reward in new[] { CountingReward.Sparse, CountingReward.Dense })
        {
            AssertClassesAreCounts(CountingEnvironment.Exact(new CountingOptions(Families: 2, Layouts: 2, Size: 32, Target: target, Reward: reward, Features: false)));
        }
    }

    [Fact]
    public void DatasetModeKeepsOnlyObservedTransitionsAndSeparatesOnlyWhatTheyShow()
    {
        var options = new CountingOptions(Size: 32, Seed: 0, Features: false);
        var mdp = CountingEnvironment.Dataset(options, episodes: 5, steps: 10);
        Assert.Equal(49, mdp.ObservationCount);
        Assert.Equal(48, mdp.Transitions.Length);
        Assert.Equal(5, mdp.Initial.Length);
        var relation = Bisimilarity.Compute(mdp).Relation!;
        Assert.Equal(454, relation.DistinguishedCount);
        for (var a = 0; a < mdp.ObservationCount; a++)
        {
            for (var b = a + 1; b < mdp.ObservationCount; b++)
            {
                var (ca, cb) = (Count(mdp, a), Count(mdp, b));
                if (ca == cb)
                {
                    Assert.False(relation.IsDistinguished(a, b), $"{mdp.Observations[a]} and {mdp.Observations[b]} share a count");
                }
                else if (ca == 4 || cb == 4)
                {
                    Assert.True(relation.IsDistinguished(a, b), "the reward tells count 4 apart at once");
                }
            }
        }

        var again = CountingEnvironment.Dataset(options, episodes: 5, steps: 10);
        Assert.True(mdp.Observations.SequenceEqual(again.Observations));
        Assert.True(mdp.Labels["layout"].SequenceEqual(again.Labels["layout"]));
    }

    [Fact]
    public void TrajectoriesAreTheDatasetsObservationsAndProbesComeFromTheirOwnStream()
    {
        var options = new CountingOptions(Size: 32, Seed: 3, Features: false);
        var (scenes, transitions, starts) = CountingEnvironment.Trajectories(options, episodes: 40, steps: 4);
        var mdp = CountingEnvironment.Dataset(options, episodes: 40, steps: 4);
        Assert.Equal(mdp.ObservationCount, scenes.Length);
        Assert.Equal(mdp.Transitions.Length, transitions.Length);
        Assert.Equal(40, starts.Length);
        Assert.Equal(0, starts[0]);
        for (var i = 0; i < scenes.Length; i++)
        {
            Assert.Equal(scenes[i].Count.ToString(System.Globalization.CultureInfo.InvariantCulture), mdp.Labels["count"][i]);
        }

        Assert.Equal(string.Join(" ", starts.Select(i => mdp.Observations[i])), string.Join(" ", mdp.Initial));
        Assert.All(transitions, t => Assert.Equal(Math.Clamp(scenes[t.From].Count + (t.Action == 0 ? 1 : -1), 0, 8), scenes[t.To].Count));

        var probes = CountingEnvironment.ProbeScenes(options, 256);
        Assert.True(probes.SequenceEqual(CountingEnvironment.ProbeScenes(options, 256)));
        Assert.Equal(9, probes.Select(p => p.Count).Distinct().Count());
        Assert.Empty(probes.Select(p => p.LayoutSeed).Intersect(scenes.Select(s => s.LayoutSeed)));
        Assert.False(probes.SequenceEqual(CountingEnvironment.ProbeScenes(options with { Seed = 4 }, 256)));
    }

    [Fact]
    public void InvalidOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => CountingEnvironment.Exact(new CountingOptions(Size: 31)));
        Assert.Throws<ArgumentException>(() => CountingEnvironment.Exact(new CountingOptions(Target: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CountingEnvironment.Dataset(new CountingOptions(), 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CountingRenderer.Layout(9, 0, 64));
    }

    private static void AssertClassesAreCounts(MdpModel mdp)
    {
        var partition = Bisimilarity.Compute(mdp).Partition!;
        Assert.Equal(9, partition.Count);
        for (var o = 0; o < mdp.ObservationCount; o++)
        {
            Assert.Equal(partition.ClassOf[mdp.IndexOfObservation(CountingEnvironment.ExactId(Count(mdp, o), 0, 0))], partition.ClassOf[o]);
        }
    }

    private static int Count(MdpModel mdp, int o) => int.Parse(mdp.Labels["count"][o]!, System.Globalization.CultureInfo.InvariantCulture);

    private static int Area(ObjectShape shape)
    {
        var n = 0;
        for (var dy = -3; dy <= 3; dy++)
        {
            for (var dx = -3; dx <= 3; dx++)
            {
                n += CountingRenderer.Covers(shape, dx, dy) ? 1 : 0;
            }
        }

        return n;
    }

    /// <summary>8-connected blobs of non-black pixels, found by flood fill: an independent count of the objects.</summary>
    private static int Blobs(byte[] pixels, int size)
    {
        var seen = new bool[size * size];
        var blobs = 0;
        for (var start = 0; start < size * size; start++)
        {
            if (seen[start] || pixels[3 * start] == 0)
            {
                continue;
            }

            blobs++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                var (x, y) = (p % size, p / size);
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var (nx, ny) = (x + dx, y + dy);
                        if (nx >= 0 && ny >= 0 && nx < size && ny < size && !seen[(ny * size) + nx] && pixels[3 * ((ny * size) + nx)] != 0)
                        {
                            seen[(ny * size) + nx] = true;
                            stack.Push((ny * size) + nx);
                        }
                    }
                }
            }
        }

        return blobs;
    }
}
