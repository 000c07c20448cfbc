using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Jepa.Verify.Mdp;

/// <summary>
/// An immutable MDP as read from a file or built in code: interned observation and action ids,
/// the observed transitions (identical repeats removed), an auxiliary value per observation, and
/// optional ground-truth labels and feature vectors. It may violate the theorem's hypotheses
/// (non-determinism, missing transitions, bad aux values); <see cref="Conditions.ConditionChecker"/>
/// says which. Build one with <see cref="MdpBuilder"/>.
/// </summary>
public sealed class MdpModel
{
    private readonly IdTable observationIndex;
    private readonly FrozenDictionary<string, int> actionIndex;
    private readonly SourcePositions observationPositions;
    private readonly SourcePositions transitionPositions;
    private readonly SourcePositions auxPositions;
    private Graphs.MdpGraph? graph;

    internal MdpModel(
        string source,
        ImmutableArray<string> observations,
        ImmutableArray<string> actions,
        ImmutableArray<Transition> transitions,
        ImmutableArray<AuxValue> aux,
        ImmutableSortedDictionary<string, ImmutableArray<string?>> labels,
        ImmutableArray<ImmutableArray<float>> features,
        ImmutableArray<DuplicateId> duplicates,
        int repeatedTransitions,
        ImmutableArray<string> initial,
        IdTable? observationIndex,
        SourcePositions observationPositions,
        SourcePositions transitionPositions,
        SourcePositions auxPositions)
    {
        Source = source;
        Observations = observations;
        Actions = actions;
        Transitions = transitions;
        Aux = aux;
        Labels = labels;
        Features = features;
        Duplicates = duplicates;
        RepeatedTransitions = repeatedTransitions;
        Initial = initial;
        this.observationPositions = observationPositions;
        this.transitionPositions = transitionPositions;
        this.auxPositions = auxPositions;

        // The builder's index is handed over (it is never changed again): a second index of a
        // million ids would cost as much as the ids themselves.
        this.observationIndex = observationIndex ?? Index(observations);
        actionIndex = actions.Select((a, i) => KeyValuePair.Create(a, i)).DistinctBy(kv => kv.Key).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Where the MDP came from: a file path or a built-in environment's name.</summary>
    public string Source { get; }

    /// <summary>
    /// How to name this MDP to another command: <see cref="Source"/>, with <c>--aux-file FILE</c> when its aux values came
    /// from a side file (a CSV dataset always), each path quoted for a POSIX shell when it needs it.
    /// </summary>
    /// <example><c>data/t.csv --aux-file data/aux.csv</c>; <c>'my runs/g.json'</c>.</example>
    public string Arguments => auxPositions.Map?.File is { } aux && aux != Source ? $"{ShellWord(Source)} --aux-file {ShellWord(aux)}" : ShellWord(Source);

    /// <summary>
    /// An observation's id as text reports show it: control characters, line separators and bidirectional controls
    /// escaped (<see cref="OneLine.Escape"/>), so an id such as <c>"a\nb"</c> never breaks a report's line. JSON keeps the id as it is.
    /// </summary>
    /// <param name="observation">The index.</param>
    public string Shown(int observation) => OneLine.Escape(Observations[observation]);

    /// <summary>Observation ids, by index.</summary>
    public ImmutableArray<string> Observations { get; }

    /// <summary>Action names, by index.</summary>
    public ImmutableArray<string> Actions { get; }

    /// <summary>Distinct observed transitions, in input order.</summary>
    public ImmutableArray<Transition> Transitions { get; }

    /// <summary>The auxiliary value of each observation (possibly missing).</summary>
    public ImmutableArray<AuxValue> Aux { get; }

    /// <summary>Ground-truth labels: label name → value per observation (null where absent).</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<string?>> Labels { get; }

    /// <summary>Feature vectors per observation (a default element where the observation has none).</summary>
    public ImmutableArray<ImmutableArray<float>> Features { get; }

    /// <summary>
    /// The shape of every feature vector, as the file's <c>"feature_shape"</c> gives it: <c>[C, H, W]</c> for images in
    /// channel-major order (PyTorch's layout of one observation), <c>[H, W]</c> for one-channel images, <c>[D]</c> for a
    /// flat vector; empty when the file does not say. The reader checks that its product is every observation's length.
    /// </summary>
    public ImmutableArray<int> FeatureShape { get; init; } = [];

    /// <summary>Whether <see cref="FeatureShape"/> says the features are images (<c>[C, H, W]</c> or <c>[H, W]</c>).</summary>
    public bool HasImageFeatures => FeatureShape.Length is 2 or 3;

    /// <summary>Ids declared more than once in the input.</summary>
    public ImmutableArray<DuplicateId> Duplicates { get; }

    /// <summary>How many identical transitions were dropped as repeats (normal in trajectory data).</summary>
    public int RepeatedTransitions { get; }

    /// <summary>Initial observations named by the input (e.g. the <c>.aut</c> header); may be empty.</summary>
    public ImmutableArray<string> Initial { get; }

    /// <summary>
    /// The MDP as a QuikGraph graph (observation indices as vertices, <see cref="Transitions"/> as edges), built
    /// on first use and kept; see <see cref="Graphs.MdpGraph"/>.
    /// </summary>
    public Graphs.MdpGraph Graph => LazyInitializer.EnsureInitialized(ref graph, () => new Graphs.MdpGraph(this));

    /// <summary>Number of observations.</summary>
    public int ObservationCount => Observations.Length;

    /// <summary>Number of actions.</summary>
    public int ActionCount => Actions.Length;

    /// <summary>The index of an observation id, or -1.</summary>
    public int IndexOfObservation(string id) => observationIndex.IndexOf(id.AsSpan());

    /// <summary>The index of an action name, or -1.</summary>
    public int IndexOfAction(string name) => actionIndex.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Where observation <paramref name="index"/> was declared (the file alone when unknown).</summary>
    public SourceLocation LocationOfObservation(int index) => observationPositions.At(index, Source);

    /// <summary>Where transition <paramref name="index"/> (into <see cref="Transitions"/>) was read.</summary>
    public SourceLocation LocationOfTransition(int index) => transitionPositions.At(index, Source);

    /// <summary>Where the aux value of observation <paramref name="index"/> was read.</summary>
    public SourceLocation LocationOfAux(int index) => auxPositions.At(index, Source);

    /// <summary>
    /// A copy whose auxiliary values come from elsewhere (e.g. a side file), keyed by observation index.
    /// </summary>
    /// <param name="aux">One value per observation.</param>
    /// <param name="positions">Where each value was read, or <see cref="SourcePositions.None"/>.</param>
    /// <param name="labels">The label columns of the copy; null keeps <see cref="Labels"/>.</param>
    /// <exception cref="ArgumentException">When the length differs from <see cref="ObservationCount"/>.</exception>
    public MdpModel WithAux(
        ImmutableArray<AuxValue> aux,
        SourcePositions positions,
        ImmutableSortedDictionary<string, ImmutableArray<string?>>? labels = null)
    {
        if (aux.Length != ObservationCount)
        {
            throw new ArgumentException($"expected {ObservationCount} aux values, got {aux.Length}", nameof(aux));
        }

        return new MdpModel(Source, Observations, Actions, Transitions, aux, labels ?? Labels, Features, Duplicates,
            RepeatedTransitions, Initial, observationIndex, observationPositions, transitionPositions, positions) { FeatureShape = FeatureShape };
    }

    /// <summary>A copy whose observations and aux values are located elsewhere (a dataset's observations are its aux file's rows).</summary>
    internal MdpModel WithPositions(SourcePositions observations, SourcePositions aux) =>
        new(Source, Observations, Actions, Transitions, Aux, Labels, Features, Duplicates,
            RepeatedTransitions, Initial, observationIndex, observations, transitionPositions, aux) { FeatureShape = FeatureShape };

    /// <summary>A path as one POSIX shell word: as it is when it holds only safe characters, else in single quotes.</summary>
    public static string ShellWord(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '=' or '@' or '%')
            ? text
            : $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static IdTable Index(ImmutableArray<string> ids)
    {
        var table = new IdTable();
        foreach (var id in ids)
        {
            table.Add(System.Text.Encoding.UTF8.GetBytes(id));
        }

        return table;
    }
}
