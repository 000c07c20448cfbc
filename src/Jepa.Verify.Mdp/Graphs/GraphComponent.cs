using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>A set of observations: its size and its first members by index.</summary>
/// <param name="Size">How many observations it has.</param>
/// <param name="First">Its first members (at most <see cref="StructureAnalysis.MaxItems"/>), by observation index.</param>
public sealed record GraphComponent(int Size, ImmutableArray<int> First);
