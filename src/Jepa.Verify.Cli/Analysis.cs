using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Cli;

/// <summary>An MDP with its condition report, aux keys and bisimulation result.</summary>
internal sealed record Analysis(MdpModel Mdp, ConditionReport Report, int[] Keys, BisimulationResult Result)
{
    /// <summary>A state's name: the observation id, or <c>(sink)</c>.</summary>
    public string Name(int state) => state < Mdp.ObservationCount ? Mdp.Observations[state] : "(sink)";

    /// <summary>A state's aux value as text; the sink's is <c>sink</c>.</summary>
    public string AuxText(int state) => state < Mdp.ObservationCount ? Mdp.Aux[state].ToString() : "sink";

    /// <summary>The finite abstraction the SMT queries encode: every state (a sink included) with its name, the actions and the aux text.</summary>
    /// <exception cref="InvalidOperationException">When the result has no full partition (missing transitions without a sink).</exception>
    public FiniteAbstraction Abstraction() =>
        FiniteAbstraction.FromResult(Result, [.. Enumerable.Range(0, Result.Table.States).Select(Name)], Mdp.Actions, AuxText);

    /// <summary>
    /// Why the finite abstraction has nothing to encode, or null: with no observations there is nothing to prove,
    /// and with no actions the SMT encoding has no action sort (bisimilarity is then equality of aux values,
    /// which <c>classes</c> shows).
    /// </summary>
    public string? NothingToProve() =>
        Mdp.ObservationCount == 0 ? $"{Mdp.Source} has no observations, so there is nothing to prove; add observations and transitions"
        : Mdp.ActionCount == 0 ? $"{Mdp.Source} has no actions, so there is no transition to encode (bisimilarity is then equality of aux values: see 'jepa-verify classes'); add the actions and their transitions"
        : null;

    /// <summary>One line describing the input, e.g. <c>9 observations, 2 actions, 18 transitions (deterministic, complete)</c>.</summary>
    public string Summary()
    {
        var completeness = Report.Complete
            ? "complete"
            : $"{Report["completeness"].Count} missing transitions{(Result.UsesSink ? ", sent to a sink" : "")}";
        return $"{Mdp.Source}: {Mdp.ObservationCount} observations, {Mdp.ActionCount} actions, {Mdp.Transitions.Length} transitions (deterministic, {completeness})";
    }
}
