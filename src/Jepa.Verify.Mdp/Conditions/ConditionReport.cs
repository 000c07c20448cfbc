using System.Collections.Immutable;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Mdp.Conditions;

/// <summary>
/// What <see cref="ConditionChecker.Check"/> found: each condition's result and whether the
/// theorem's hypotheses (a deterministic, complete MDP with a sane auxiliary function and
/// unambiguous ids) hold.
/// </summary>
/// <param name="Source">The MDP's source.</param>
/// <param name="Observations">Number of observations.</param>
/// <param name="Actions">Number of actions.</param>
/// <param name="Transitions">Number of distinct transitions.</param>
/// <param name="RepeatedTransitions">Identical transitions dropped as repeats.</param>
/// <param name="Results">One result per condition, in a fixed order.</param>
public sealed record ConditionReport(
    string Source,
    int Observations,
    int Actions,
    int Transitions,
    int RepeatedTransitions,
    ImmutableArray<ConditionResult> Results)
{
    /// <summary>
    /// The successor table the determinism check built (<c>−1</c> for a missing transition), when every (observation,
    /// action) pair has at most one successor; null otherwise. The analysis stage takes it from here instead of building it again.
    /// </summary>
    public TransitionTable? Table { get; init; }

    /// <summary>The result of a condition by name (<c>ids</c>, <c>determinism</c>, <c>completeness</c>, <c>aux</c>, <c>reachability</c>).</summary>
    public ConditionResult this[string name] => Results.First(r => r.Name == name);

    /// <summary>No (observation, action) pair has two successors.</summary>
    public bool Deterministic => this["determinism"].Holds;

    /// <summary>Every (observation, action) pair has a successor.</summary>
    public bool Complete => this["completeness"].Holds;

    /// <summary>True when every hypothesis of the theorem holds.</summary>
    public bool HypothesesHold => Results.All(r => !r.IsHypothesis || r.Holds);

    /// <summary>The hypotheses that fail, by name.</summary>
    public ImmutableArray<string> FailedHypotheses => [.. Results.Where(r => r.IsHypothesis && !r.Holds).Select(r => r.Name)];

    /// <summary>
    /// True when the finite-data form of the theorem applies: everything but completeness holds.
    /// </summary>
    public bool FiniteDataApplies => Blocking.IsEmpty;

    /// <summary>
    /// The failed hypotheses that make bisimulation undefined (duplicate ids, non-determinism, bad aux
    /// values): every failed hypothesis but completeness, in report order.
    /// </summary>
    public ImmutableArray<ConditionResult> Blocking => [.. Results.Where(r => r.IsHypothesis && !r.Holds && r.Name != "completeness")];

    /// <summary>
    /// Throws the first problem that makes bisimulation undefined (duplicate ids, non-determinism,
    /// bad aux values) as a one-line error. Missing transitions are allowed: they select the
    /// finite-data relation or a sink.
    /// </summary>
    /// <exception cref="MdpFormatException">With the offending item's place and a pointer to <c>conditions</c>.</exception>
    public void ThrowIfUnusable()
    {
        if (Blocking is [var r, ..])
        {
            var item = r.First[0];
            throw new MdpFormatException(item.Location, $"{r.Name} fails: {item.Text} ({r.Summary})", $"fix the input; `jepa-verify conditions {Source}` lists every problem");
        }
    }
}
