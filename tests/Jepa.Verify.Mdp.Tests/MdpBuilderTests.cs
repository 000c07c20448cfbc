using Xunit;

namespace Jepa.Verify.Mdp.Tests;

/// <summary>Tests for <see cref="MdpBuilder"/>.</summary>
public sealed class MdpBuilderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(100)]
    public void RepeatsAreDroppedInInputOrderWhateverRoomWasReserved(int reserved)
    {
        // A reservation smaller, equal to or larger than what comes: the same model, repeats counted once.
        var b = new MdpBuilder("r", SourceMap.ForLines("r"));
        b.ReserveTransitions(reserved);
        var go = b.AddAction("go");
        var stay = b.AddAction("stay");
        var x = b.AddObservation("x").Index;
        var y = b.AddObservation("y").Index;
        b.AddTransition(x, go, y, 1);
        b.AddTransition(x, stay, x, 2);
        b.AddTransition(x, go, y, 3); // an identical repeat
        b.AddTransition(y, go, x, 4);
        b.AddTransition(x, go, x, 5); // a second, different successor: kept
        b.AddTransition(y, stay, y, 6);
        var mdp = b.Build();
        Assert.Equal([new(x, go, y), new(x, stay, x), new(y, go, x), new(x, go, x), new(y, stay, y)], mdp.Transitions.ToArray());
        Assert.Equal(1, mdp.RepeatedTransitions);
        Assert.Equal([1, 2, 4, 5, 6], Enumerable.Range(0, 5).Select(i => mdp.LocationOfTransition(i).Line));
    }

    [Fact]
    public void AnExactReservationWithoutRepeatsIsKeptAndFrozen()
    {
        var b = new MdpBuilder("exact");
        b.ReserveTransitions(2);
        var go = b.AddAction("go");
        var x = b.AddObservation("x").Index;
        var y = b.AddObservation("y").Index;
        b.AddTransition(x, go, y);
        b.AddTransition(y, go, x);
        var mdp = b.Build();
        Assert.Equal([new(x, go, y), new(y, go, x)], mdp.Transitions.ToArray());

        // The model keeps the builder's store, so the builder must refuse to change it.
        Assert.Throws<InvalidOperationException>(() => b.AddTransition(x, go, x));
        Assert.Equal([new(x, go, y), new(y, go, x)], mdp.Transitions.ToArray());
    }
}
