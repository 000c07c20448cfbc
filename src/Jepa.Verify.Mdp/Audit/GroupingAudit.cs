using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Audit;

/// <summary>The audit of one grouping: its size and each label's verdict.</summary>
/// <param name="Name">E.g. <c>aux only</c> or <c>aux + dynamics</c>.</param>
/// <param name="Groups">Number of classes; null for a relation.</param>
/// <param name="DistinguishedPairs">Unordered pairs the grouping separates.</param>
/// <param name="Labels">One audit per label.</param>
public sealed record GroupingAudit(string Name, int? Groups, long DistinguishedPairs, ImmutableArray<LabelAudit> Labels);
