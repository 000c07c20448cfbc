namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// What the theorem forces apart: either the bisimulation <see cref="Partition"/> (complete data,
/// or incomplete data with a sink) or the finite-data <see cref="Relation"/> (incomplete data),
/// with shortest witnesses on demand. Immutable.
/// </summary>
public sealed class BisimulationResult
{
    private readonly int[] keys;
    private readonly Partition? fullPartition;

    internal BisimulationResult(TransitionTable table, int[] keys, int observations, Partition? fullPartition, DistinguishabilityRelation? relation)
    {
        Table = table;
        this.keys = keys;
        ObservationCount = observations;
        this.fullPartition = fullPartition;
        Partition = fullPartition?.Prefix(observations);
        Relation = relation;
    }

    /// <summary>The table the result was computed on; with a sink, state <see cref="ObservationCount"/> is the sink.</summary>
    public TransitionTable Table { get; }

    /// <summary>Number of observations (excluding any sink).</summary>
    public int ObservationCount { get; }

    /// <summary>True when missing transitions were sent to a sink.</summary>
    public bool UsesSink => Table.States > ObservationCount;

    /// <summary>The bisimulation classes over the observations, when the result is a partition.</summary>
    public Partition? Partition { get; }

    /// <summary>Which observations the theorem forces apart: <see cref="Partition"/> when there is one, else <see cref="Relation"/>.</summary>
    public IDistinguishedPairs Pairs => (IDistinguishedPairs?)Partition ?? Relation!;

    /// <summary>
    /// The classes over every state of <see cref="Table"/>: <see cref="Partition"/> plus, with a sink,
    /// the sink's own class. Null for a relation.
    /// </summary>
    public Partition? FullPartition => fullPartition;

    /// <summary>The finite-data relation, when the data are incomplete and no sink was asked for.</summary>
    public DistinguishabilityRelation? Relation { get; }

    /// <summary>The aux key of a state (the sink's is unique).</summary>
    public int KeyOf(int state) => keys[state];

    /// <summary>True when the theorem forces the two observations to distinct latents.</summary>
    public bool AreDistinguished(int a, int b) => Pairs.AreDistinguished(a, b);

    /// <summary>A shortest distinguishing sequence, or null for an equivalent (indistinguishable) pair.</summary>
    /// <param name="a">One observation.</param>
    /// <param name="b">The other.</param>
    /// <param name="maxVisited">The most pairs the breadth-first search may visit.</param>
    /// <exception cref="RelationTooLargeException">When the search exceeds its cap.</exception>
    public Witness? Witness(int a, int b, int maxVisited = WitnessFinder.DefaultMaxVisited)
    {
        Func<int, int, bool> mayDiffer = fullPartition is { } p
            ? (u, v) => !p.SameClass(u, v)
            : (u, v) => Relation!.IsDistinguished(u, v);
        return WitnessFinder.Shortest(Table, keys, a, b, mayDiffer, maxVisited);
    }
}
