using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Conditions;

/// <summary>The outcome of one condition: how many items violate it, and the first few.</summary>
/// <param name="Name">Short name, e.g. <c>determinism</c>.</param>
/// <param name="Holds">True when nothing violates it.</param>
/// <param name="Count">How many items violate it.</param>
/// <param name="First">The first offending items (at most <see cref="ConditionChecker.MaxItems"/>).</param>
/// <param name="IsHypothesis">True when the theorem needs it; false for information only (reachability).</param>
/// <param name="Summary">One line for the report, e.g. <c>2 (observation, action) pairs have no transition</c>.</param>
public sealed record ConditionResult(
    string Name,
    bool Holds,
    int Count,
    ImmutableArray<ConditionItem> First,
    bool IsHypothesis,
    string Summary);
