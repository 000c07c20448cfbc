using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// The shape of an MDP's transition graph, from <see cref="StructureAnalysis.Compute"/>: strongly connected
/// components, the closed (bottom) ones, the observations no path returns to, and, for a finite dataset (some
/// (observation, action) pairs unobserved), what the observed transitions can constrain.
/// </summary>
/// <param name="Components">Number of strongly connected components.</param>
/// <param name="LargestComponent">Observations in the largest one.</param>
/// <param name="ClosedCount">Components no transition leaves (bottom components): every run ends in one.</param>
/// <param name="Closed">The first closed components, largest first (at most <see cref="StructureAnalysis.MaxItems"/>).</param>
/// <param name="TransientCount">Observations on no cycle: once left, never revisited (a singleton component without a self-loop).</param>
/// <param name="Transient">The first of them by index (at most <see cref="StructureAnalysis.MaxItems"/>).</param>
/// <param name="Dataset">For an incomplete MDP, what the observed transitions constrain; null when every pair has a transition.</param>
public sealed record GraphStructure(
    int Components,
    int LargestComponent,
    int ClosedCount,
    ImmutableArray<GraphComponent> Closed,
    int TransientCount,
    ImmutableArray<int> Transient,
    DatasetStructure? Dataset);
