namespace Jepa.Verify.Mdp.Audit;

/// <summary>Which distinctions each of two aux functions forces that the other does not.</summary>
/// <param name="OnlyA">Pairs forced apart under A but not under B.</param>
/// <param name="OnlyB">Pairs forced apart under B but not under A.</param>
/// <param name="Both">Pairs forced apart under both.</param>
/// <param name="ExampleOnlyA">One pair of observation indices from <paramref name="OnlyA"/>, if any.</param>
/// <param name="ExampleOnlyB">One pair of observation indices from <paramref name="OnlyB"/>, if any.</param>
public sealed record AuxComparison(long OnlyA, long OnlyB, long Both, (int A, int B)? ExampleOnlyA, (int A, int B)? ExampleOnlyB);
