using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Graphs;

/// <summary>
/// What a finite dataset's observed transitions can constrain. The transition premise relates the latents of a
/// pair <c>(o, o')</c> only through actions observed from both; a pair with no such action is kept apart by
/// the aux head alone, and an observation with no observed transition only by its aux value and as a target.
/// </summary>
/// <param name="WeakComponents">Number of weakly connected components of the observed graph.</param>
/// <param name="LargestWeakComponent">Observations in the largest one.</param>
/// <param name="DeadEndCount">Observations with no observed outgoing transition.</param>
/// <param name="DeadEnds">The first of them by index (at most <see cref="StructureAnalysis.MaxItems"/>).</param>
/// <param name="Pairs">Number of unordered pairs of distinct observations.</param>
/// <param name="PairsWithoutCommonAction">Pairs with no action observed from both (only aux can separate them); null when not counted (more than <see cref="StructureAnalysis.MaxActionSets"/> distinct sets of observed actions).</param>
public sealed record DatasetStructure(
    int WeakComponents,
    int LargestWeakComponent,
    int DeadEndCount,
    ImmutableArray<int> DeadEnds,
    long Pairs,
    long? PairsWithoutCommonAction);
