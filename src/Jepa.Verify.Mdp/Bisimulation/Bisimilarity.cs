namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// The entry point: which observations of a deterministic MDP the theorem forces apart.
/// </summary>
/// <example>
/// <code>
/// var result = Bisimilarity.Compute(mdp);
/// int classes = result.Partition!.Count;          // 9 for the counting MDP
/// var why = result.Witness(0, 1);                  // e.g. [inc, inc, inc] then aux 1 vs 0
/// </code>
/// </example>
public static class Bisimilarity
{
    /// <summary>Computes bisimulation classes (or the finite-data relation) of an MDP.</summary>
    /// <param name="mdp">A deterministic MDP with finite aux values (see <see cref="Conditions.ConditionReport.ThrowIfUnusable"/>).</param>
    /// <param name="options">Tolerance and missing-transition handling; null for the defaults.</param>
    /// <exception cref="InvalidOperationException">When the MDP is not deterministic.</exception>
    /// <exception cref="ArgumentException">When an aux value is missing or not finite.</exception>
    /// <exception cref="RelationTooLargeException">When the relation's pairs exceed the limit.</exception>
    public static BisimulationResult Compute(MdpModel mdp, BisimulationOptions? options = null)
    {
        options ??= new BisimulationOptions();
        return Compute(TransitionTable.FromMdp(mdp), AuxKeys.Compute(mdp.Aux, options.AuxTolerance), options);
    }

    /// <summary>Computes the result on the narrow input: a table and aux keys.</summary>
    /// <param name="table">The deterministic transition table.</param>
    /// <param name="keys">One non-negative aux key per state; taken over, not copied.</param>
    /// <param name="options">Missing-transition handling; the tolerance is not used here.</param>
    public static BisimulationResult Compute(TransitionTable table, int[] keys, BisimulationOptions? options = null)
    {
        options ??= new BisimulationOptions();
        var n = table.States;
        if (table.IsComplete)
        {
            return new BisimulationResult(table, keys, n, PartitionRefinement.Coarsest(table, keys), null);
        }

        if (options.Missing == MissingTransitions.Sink)
        {
            var withSink = table.WithSink();
            var sinkKeys = new int[n + 1];
            keys.CopyTo(sinkKeys, 0);
            sinkKeys[n] = n == 0 ? 0 : keys.Max() + 1;
            return new BisimulationResult(withSink, sinkKeys, n, PartitionRefinement.Coarsest(withSink, sinkKeys), null);
        }

        return new BisimulationResult(table, keys, n, null, DistinguishabilityRelation.Compute(table, keys, options.MaxPairs));
    }
}
