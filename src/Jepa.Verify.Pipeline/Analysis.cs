using Jepa.Verify.Learning.Collapse;
using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// The analysis stage: an MDP with its condition report, aux keys and bisimulation result. Every later stage
/// (proof, training, assessment, collapse analysis) takes these from here instead of recomputing them.
/// </summary>
/// <param name="Mdp">The MDP.</param>
/// <param name="Report">Its conditions, checked once.</param>
/// <param name="Keys">The aux keys the bisimulation compared (bucketed by the tolerance).</param>
/// <param name="Result">Its bisimulation: a partition, or the finite-data relation.</param>
public sealed record Analysis(MdpModel Mdp, ConditionReport Report, int[] Keys, BisimulationResult Result)
{
    /// <summary>Checks the conditions bisimulation needs and computes it.</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="options">Aux tolerance, missing transitions, pair limit.</param>
    /// <exception cref="MdpFormatException">A condition that makes bisimulation undefined fails (duplicate ids, non-determinism, bad aux values): the first problem, located.</exception>
    /// <exception cref="PipelineException">The aux tolerance is so small that some aux value overflows its bucket.</exception>
    /// <exception cref="RelationTooLargeException">The finite-data relation would exceed the pair limit.</exception>
    public static Analysis Of(MdpModel mdp, BisimulationOptions options) => Of(mdp, options, ConditionChecker.Check(mdp));

    /// <summary>As <see cref="Of(MdpModel, BisimulationOptions)"/>, with the conditions already checked (so they are checked once).</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="options">Aux tolerance, missing transitions, pair limit.</param>
    /// <param name="report">The MDP's condition report, from <see cref="ConditionChecker.Check"/>.</param>
    public static Analysis Of(MdpModel mdp, BisimulationOptions options, ConditionReport report)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        report.ThrowIfUnusable();
        if (AuxKeys.ToleranceProblem(mdp.Aux, options.AuxTolerance) is { } problem)
        {
            throw new PipelineException($"the aux tolerance (--aux-tolerance, or \"aux.tolerance\" in a check config): {problem}");
        }

        var keys = AuxKeys.Compute(mdp.Aux, options.AuxTolerance);
        // The determinism check already built the successor table; ThrowIfUnusable guarantees it is there.
        var result = Bisimilarity.Compute(report.Table ?? TransitionTable.FromMdp(mdp), keys, options);
        return new Analysis(mdp, report, keys, result);
    }

    /// <summary>
    /// The analysis of the same MDP with another aux function (the random map <c>random-aux</c> trains on): the new aux
    /// is bucketed and the bisimulation recomputed on the successor table already built; the conditions are not checked
    /// again (the transitions are the same, and the caller's aux is finite everywhere). <see cref="Report"/> stays the
    /// original MDP's.
    /// </summary>
    /// <param name="aux">One value per observation.</param>
    /// <param name="options">Aux tolerance, missing transitions, pair limit.</param>
    /// <exception cref="PipelineException">The aux tolerance is so small that some aux value overflows its bucket.</exception>
    public Analysis WithAux(ImmutableArray<AuxValue> aux, BisimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mdp = Mdp.WithAux(aux, SourcePositions.None);
        if (AuxKeys.ToleranceProblem(mdp.Aux, options.AuxTolerance) is { } problem)
        {
            throw new PipelineException($"the aux tolerance (--aux-tolerance, or \"aux.tolerance\" in a check config): {problem}");
        }

        var keys = AuxKeys.Compute(mdp.Aux, options.AuxTolerance);
        return new Analysis(mdp, Report, keys, Bisimilarity.Compute(Report.Table ?? TransitionTable.FromMdp(mdp), keys, options));
    }

    /// <summary>Refuses, before any analysis, training or encoding, an MDP with more observations than the collapse analysis compares.</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="collapse">The collapse options (the all-pairs limit, and whether every pair is to be listed).</param>
    /// <param name="withHeads">
    /// Whether the model's heads are given: then a class-level certificate may let the analysis skip pairs, up to
    /// <see cref="CollapseAnalysis.MaxObservationsWithClassBounds"/> observations.
    /// </param>
    /// <exception cref="PipelineException">With the count and the limit.</exception>
    public static void RequireComparable(MdpModel mdp, CollapseOptions collapse, bool withHeads = false)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(collapse);
        var n = mdp.ObservationCount;
        if (withHeads && n > collapse.MaxObservations && n <= CollapseAnalysis.MaxObservationsWithClassBounds)
        {
            if (collapse.ListPairs)
            {
                throw new PipelineException($"{mdp.Source} has {n} observations; listing every non-equivalent pair (--pairs) is for at most {Learning.Certify.Certificate.PairLimit}");
            }

            return;
        }

        if (n > collapse.MaxObservations)
        {
            throw new PipelineException(withHeads
                ? $"{mdp.Source} has {n} observations; the collapse analysis is limited to {CollapseAnalysis.MaxObservationsWithClassBounds} with a class-level certificate"
                : $"{mdp.Source} has {n} observations; the collapse analysis compares all pairs up to {collapse.MaxObservations}, and with the model's transition model and aux head up to {CollapseAnalysis.MaxObservationsWithClassBounds} (a class-level certificate lets it skip pairs)");
        }

        if (collapse.ListPairs && n > Learning.Certify.Certificate.PairLimit)
        {
            throw new PipelineException($"{mdp.Source} has {n} observations; listing every non-equivalent pair (--pairs) is for at most {Learning.Certify.Certificate.PairLimit}");
        }
    }

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
