namespace Jepa.Verify.Mdp.Audit;

/// <summary>How a grouping of observations treats one ground-truth label.</summary>
/// <param name="Label">The label's name, e.g. <c>count</c>.</param>
/// <param name="Values">How many distinct values it takes.</param>
/// <param name="Verdict">
/// <c>kept</c> (no group mixes two values), <c>ignored</c> (every group holds every value),
/// <c>partial</c> (in between) or <c>constant</c> (one value only).
/// </param>
/// <param name="Purity">Σ over groups of the largest value count, over the labelled observations; null for a relation.</param>
/// <param name="Span">Mean over groups of (distinct values in the group / all values); null for a relation.</param>
/// <param name="SeparatedFraction">Of the pairs with different label values, the fraction the grouping separates (1 when there are none).</param>
/// <param name="MixedGroups">Groups holding two or more values; null for a relation.</param>
public sealed record LabelAudit(
    string Label,
    int Values,
    string Verdict,
    double? Purity,
    double? Span,
    double SeparatedFraction,
    int? MixedGroups);
