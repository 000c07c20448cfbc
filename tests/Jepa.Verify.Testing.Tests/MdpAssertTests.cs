using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Testing.Tests;

/// <summary>Tests for <see cref="MdpAssert"/>, written as a user's own tests would be.</summary>
public sealed class MdpAssertTests
{
    private static readonly MdpModel Counting = MdpLoader.Load(Example("counting.json"));

    /// <summary>A ring of four rooms where only room 0 is rewarded; rooms 1 and 3 mirror each other only if the ring is symmetric, which it is not: "cw" goes forward.</summary>
    private static MdpModel Ring(bool mirrored)
    {
        var b = new MdpBuilder("ring");
        b.AddAction("cw");
        for (var i = 0; i < 4; i++)
        {
            var (s, _) = b.AddObservation($"room{i}");
            b.SetAux(s, AuxValue.Scalar(i == 0 || (mirrored && i == 2) ? 1 : 0));
        }

        for (var i = 0; i < 4; i++)
        {
            b.AddTransition(i, 0, (i + 1) % 4);
        }

        return b.Build();
    }

    [Fact]
    public void TheCountingMdpHasNineSingletonClassesAndItsHypothesesHold()
    {
        MdpAssert.HypothesesHold(Counting);
        MdpAssert.HasClassCount(Counting, 9);
        MdpAssert.HasClasses(Counting, Enumerable.Range(0, 9).Select(c => new[] { $"count{c}" }));
    }

    [Fact]
    public void AMirroredRingHasTwoClassesAndAWrongExpectationNamesThePairAndTheWitness()
    {
        var ring = Ring(mirrored: true);
        MdpAssert.HasClasses(ring, [["room0", "room2"], ["room1", "room3"]]);
        var error = Assert.Throws<JepaAssertionException>(() => MdpAssert.HasClasses(ring, [["room0", "room1", "room2", "room3"]]));
        Assert.Contains("room0 and room1 are not bisimilar: aux differs at once: 1 vs 0", error.Message);
        Assert.Contains("Found: {room0, room2} {room1, room3}", error.Message);

        var count = Assert.Throws<JepaAssertionException>(() => MdpAssert.HasClassCount(Ring(mirrored: false), 2));
        Assert.Contains("expected 2 bisimulation classes in ring, found 4", count.Message);
    }

    [Fact]
    public void DistinguishedReturnsTheShortestWitnessAndBisimilarFailsWithIt()
    {
        var witness = MdpAssert.Distinguished(Counting, "count2", "count6");
        Assert.Equal(2, witness.Actions.Length);
        var error = Assert.Throws<JepaAssertionException>(() => MdpAssert.Bisimilar(Counting, "count3", "count5"));
        Assert.Contains("count3 and count5 are not bisimilar in", error.Message);
        Assert.Contains("after [", error.Message);

        MdpAssert.Bisimilar(Ring(mirrored: true), "room1", "room3");
        Assert.Throws<JepaAssertionException>(() => MdpAssert.Distinguished(Ring(mirrored: true), "room0", "room2"));
    }

    [Fact]
    public void MisuseIsAnArgumentErrorAndAnUndefinedBisimulationAnAssertionFailure()
    {
        Assert.Throws<ArgumentException>(() => MdpAssert.Distinguished(Counting, "count0", "count9"));
        Assert.Throws<ArgumentException>(() => MdpAssert.HasClasses(Counting, [["count0"]]));

        var b = new MdpBuilder("nondeterministic");
        b.AddAction("a");
        b.AddObservation("x");
        b.AddObservation("y");
        b.SetAux(0, AuxValue.Scalar(0));
        b.SetAux(1, AuxValue.Scalar(1));
        b.AddTransition(0, 0, 0);
        b.AddTransition(0, 0, 1);
        b.AddTransition(1, 0, 1);
        var mdp = b.Build();
        Assert.Contains("determinism", Assert.Throws<JepaAssertionException>(() => MdpAssert.HypothesesHold(mdp)).Message);
        Assert.Contains("bisimulation is not defined", Assert.Throws<JepaAssertionException>(() => MdpAssert.HasClassCount(mdp, 2)).Message);
    }

    [Fact]
    public void AFiniteDatasetHasNoClassesButItsPairsCanBeAsserted()
    {
        var walk = MdpLoader.Load(Example("counting-walk/transitions.csv"), auxFile: Example("counting-walk/aux.csv"));
        Assert.Contains("finite-data relation", Assert.Throws<JepaAssertionException>(() => MdpAssert.HasClassCount(walk, 9)).Message);
        MdpAssert.Distinguished(walk, "count4", "count3");
        // With unobserved transitions sent to a sink, count0 and counts 5–8 (never left by the walk) all behave like the sink.
        MdpAssert.HasClasses(walk, [["count0", "count5", "count6", "count7", "count8"], ["count1"], ["count2"], ["count3"], ["count4"]], new BisimulationOptions(Missing: MissingTransitions.Sink));
    }

    internal static string Example(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(name);
    }
}
