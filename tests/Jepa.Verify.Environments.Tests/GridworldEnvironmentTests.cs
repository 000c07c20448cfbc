using Jepa.Verify.Environments.Gridworld;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Environments.Tests;

/// <summary>Tests for <see cref="GridworldEnvironment"/>.</summary>
public sealed class GridworldEnvironmentTests
{
    [Fact]
    public void TheDefaultIsTheFiveByFiveKeyAndDoorWorldWithWitnessesOfTwelveActionsAndTintsThatCollapse()
    {
        var mdp = GridworldEnvironment.Build(new GridworldOptions());
        Assert.Equal(60, mdp.ObservationCount);
        Assert.Equal(240, mdp.Transitions.Length);
        var result = Bisimilarity.Compute(mdp);
        var partition = result.Partition!;
        Assert.Equal(30, partition.Count);

        // The tints collapse: every observation is bisimilar to its other tint, and to nothing else.
        for (var o = 0; o < mdp.ObservationCount; o++)
        {
            var (x, y, key, tint) = (Label(mdp, "x", o), Label(mdp, "y", o), mdp.Labels["key"][o] == "true", Label(mdp, "tint", o));
            var twin = mdp.IndexOfObservation(GridworldEnvironment.Id(x, y, key, 1 - tint));
            Assert.True(partition.SameClass(o, twin));
        }

        // The longest shortest witness is 12 actions: cells before the key are told apart only by long walks.
        var longest = 0;
        for (var a = 0; a < mdp.ObservationCount; a++)
        {
            for (var b = a + 1; b < mdp.ObservationCount; b++)
            {
                longest = Math.Max(longest, result.Witness(a, b)?.Actions.Length ?? 0);
            }
        }

        Assert.Equal(12, longest);
    }

    [Fact]
    public void TheDoorOpensOnlyToAnAgentHoldingTheKeyAndTheKeyIsPickedUpByStepingOnIt()
    {
        var mdp = GridworldEnvironment.Build(new GridworldOptions(Distractors: 1));
        int Next(string from, string action) => mdp.Transitions.Single(t => t.From == mdp.IndexOfObservation(from) && t.Action == GridworldEnvironment.Actions.ToList().IndexOf(action)).To;
        var right = "right";
        Assert.Equal(mdp.IndexOfObservation("x1y2-t0"), Next("x1y2-t0", right)); // locked: stays
        Assert.Equal(mdp.IndexOfObservation("x2y2k-t0"), Next("x1y2k-t0", right)); // with the key: through
        Assert.Equal(mdp.IndexOfObservation("x0y4k-t0"), Next("x0y3-t0", "down")); // onto the key: held
        Assert.Equal(mdp.IndexOfObservation("x1y1-t0"), Next("x1y1-t0", right)); // the wall
        Assert.Equal(1, mdp.Aux[mdp.IndexOfObservation("x4y0k-t0")].Components[0]);
        Assert.DoesNotContain(Enumerable.Range(0, mdp.ObservationCount), o => mdp.Observations[o].StartsWith("x3", StringComparison.Ordinal) && mdp.Labels["key"][o] == "false");

        // Without the key and lock the door is a gap: fewer states, and shorter witnesses.
        var open = GridworldEnvironment.Build(new GridworldOptions(Key: false, Distractors: 1));
        Assert.Equal(21, open.ObservationCount);
        Assert.Equal(21, Bisimilarity.Compute(open).Partition!.Count);
    }

    [Fact]
    public void ImagesShowTheAgentTheKeyTheDoorAndTheTintAndChannelMajorIsTheSamePixels()
    {
        var options = new GridworldOptions(ImageSize: 20);
        var layout = GridworldEnvironment.LayoutOf(options);
        var before = GridworldEnvironment.Render(layout, 1, 1, key: false, tint: 0, 20);
        var after = GridworldEnvironment.Render(layout, 1, 1, key: true, tint: 0, 20);
        var tinted = GridworldEnvironment.Render(layout, 1, 1, key: false, tint: 1, 20);
        // Cells are 4 × 4 pixels at 20 px for 5 cells: the agent red at (1, 1), the key green at (0, 4) until held.
        Assert.Equal([1f, 0f, 0f], Pixel(before, 20, 5, 5));
        Assert.Equal([0f, 1f, 0f], Pixel(before, 20, 1, 17));
        Assert.Equal([0f, 0f, 1f], Pixel(before, 20, 9, 9)); // the door, locked
        Assert.Equal([0f, 1f, 1f], Pixel(after, 20, 9, 9)); // open once the key is held
        Assert.NotEqual(Pixel(before, 20, 1, 17), Pixel(after, 20, 1, 17));
        Assert.NotEqual(Pixel(before, 20, 13, 13), Pixel(tinted, 20, 13, 13)); // the floor's tint

        var interleaved = GridworldEnvironment.Build(options);
        var planar = GridworldEnvironment.Build(options with { ChannelMajor = true });
        var plane = 20 * 20;
        for (var p = 0; p < plane; p += 37)
        {
            for (var ch = 0; ch < 3; ch++)
            {
                Assert.Equal(interleaved.Features[3][(p * 3) + ch], planar.Features[3][(ch * plane) + p]);
            }
        }

        // Channel-major pixels say they are [3, side, side] images (training reads them with the convolutional encoder).
        Assert.Equal([3, 20, 20], planar.FeatureShape.ToArray());
        Assert.Empty(interleaved.FeatureShape);
        Assert.Empty(GridworldEnvironment.Build(options with { ChannelMajor = true, Features = false }).FeatureShape);
        var counting = new Counting.CountingOptions(Families: 1, Layouts: 1, Size: 32);
        Assert.Equal([3, 32, 32], Counting.CountingEnvironment.Exact(counting with { ChannelMajor = true }).FeatureShape.ToArray());
        Assert.Equal([3, 32, 32], Counting.CountingEnvironment.Dataset(counting with { ChannelMajor = true }, 2, 3).FeatureShape.ToArray());
        Assert.Empty(Counting.CountingEnvironment.Exact(counting).FeatureShape);
    }

    [Fact]
    public void ExtraWallsFollowTheSeedKeepEverythingReachableAndBadOptionsAreNamed()
    {
        var a = GridworldEnvironment.LayoutOf(new GridworldOptions(Size: 7, Walls: 6, Seed: 3));
        Assert.True(a.Wall.SequenceEqual(GridworldEnvironment.LayoutOf(new GridworldOptions(Size: 7, Walls: 6, Seed: 3)).Wall));
        Assert.Equal(6 + 6, a.Wall.Count(w => w)); // the middle wall (7 − the door) and 6 more
        var mdp = GridworldEnvironment.Build(new GridworldOptions(Size: 7, Walls: 6, Seed: 3, Features: false));
        Assert.Contains(Enumerable.Range(0, mdp.ObservationCount), o => mdp.Aux[o].Components[0] == 1); // the goal is reached
        Assert.False(a.Wall.SequenceEqual(GridworldEnvironment.LayoutOf(new GridworldOptions(Size: 7, Walls: 6, Seed: 4)).Wall));

        Assert.Contains("grid size must be 4 to 32", new GridworldOptions(Size: 3).Problem(), StringComparison.Ordinal);
        Assert.Contains("walls must be 0 to 6", new GridworldOptions(Walls: 7).Problem(), StringComparison.Ordinal);
        Assert.Contains("image size must be 5", new GridworldOptions(ImageSize: 4).Problem(), StringComparison.Ordinal);
        Assert.Contains("distractors must be 1 to 4", new GridworldOptions(Distractors: 0).Problem(), StringComparison.Ordinal);
        Assert.Contains("goal reward", new GridworldOptions(GoalReward: 0).Problem(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GridworldEnvironment.Build(new GridworldOptions(Size: 3)));
        Assert.Null(GridworldEnvironment.Problem(new GridworldOptions()));
        Assert.StartsWith("only 3 of 4 extra walls could be placed", GridworldEnvironment.Problem(new GridworldOptions(Size: 4, Walls: 4, Seed: 2)), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GridworldEnvironment.Build(new GridworldOptions(Size: 4, Walls: 4, Seed: 2)));
    }

    private static int Label(MdpModel mdp, string name, int o) => int.Parse(mdp.Labels[name][o]!, System.Globalization.CultureInfo.InvariantCulture);

    private static float[] Pixel(float[] image, int side, int x, int y) => image[(((y * side) + x) * 3)..((((y * side) + x) * 3) + 3)];
}
