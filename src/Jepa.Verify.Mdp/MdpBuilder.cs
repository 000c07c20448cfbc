using System.Collections.Immutable;

namespace Jepa.Verify.Mdp;

/// <summary>
/// Builds an <see cref="MdpModel"/> step by step, interning ids. Used by every reader and by the
/// built-in environments. Not thread-safe; <see cref="Build"/> may be called once.
/// </summary>
/// <example>
/// <code>
/// var b = new MdpBuilder("two-states");
/// var inc = b.AddAction("inc");
/// var s0 = b.AddObservation("s0"); var s1 = b.AddObservation("s1");
/// b.SetAux(s0, AuxValue.Scalar(0)); b.SetAux(s1, AuxValue.Scalar(1));
/// b.AddTransition(s0, inc, s1); b.AddTransition(s1, inc, s1);
/// MdpModel mdp = b.Build();
/// </code>
/// </example>
public sealed class MdpBuilder
{
    private readonly string source;
    private readonly List<string> observations = [];
    private readonly List<SourceLocation?> observationLocations = [];
    private readonly Dictionary<string, int> observationIndex = new(StringComparer.Ordinal);
    private readonly List<string> actions = [];
    private readonly List<SourceLocation?> actionLocations = [];
    private readonly Dictionary<string, int> actionIndex = new(StringComparer.Ordinal);
    private readonly List<Transition> transitions = [];
    private readonly List<SourceLocation?> transitionLocations = [];
    private readonly HashSet<Transition> seenTransitions = [];
    private readonly List<AuxValue> aux = [];
    private readonly List<SourceLocation?> auxLocations = [];
    private readonly SortedDictionary<string, Dictionary<int, string>> labels = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ImmutableArray<float>> features = [];
    private readonly List<DuplicateId> duplicates = [];
    private readonly List<string> initial = [];
    private int repeatedTransitions;
    private bool built;

    /// <summary>Starts an empty MDP.</summary>
    /// <param name="source">A file path or environment name, used in every message about it.</param>
    public MdpBuilder(string source) => this.source = source;

    /// <summary>Number of observations added so far.</summary>
    public int ObservationCount => observations.Count;

    /// <summary>Number of actions added so far.</summary>
    public int ActionCount => actions.Count;

    /// <summary>Declares an action. A repeated name is recorded in <see cref="MdpModel.Duplicates"/>.</summary>
    /// <returns>The action's index (the first declaration's, for a repeat).</returns>
    public int AddAction(string name, SourceLocation? location = null)
    {
        if (actionIndex.TryGetValue(name, out var existing))
        {
            duplicates.Add(new DuplicateId("action", name, Loc(actionLocations[existing]), Loc(location)));
            return existing;
        }

        actionIndex[name] = actions.Count;
        actions.Add(name);
        actionLocations.Add(location);
        return actions.Count - 1;
    }

    /// <summary>The index of an action, adding it if new (for formats without an action list).</summary>
    public int GetOrAddAction(string name, SourceLocation? location = null) =>
        actionIndex.TryGetValue(name, out var i) ? i : AddAction(name, location);

    /// <summary>The index of a declared action, or -1.</summary>
    public int IndexOfAction(string name) => actionIndex.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Declares an observation. A repeated id is recorded in <see cref="MdpModel.Duplicates"/>.</summary>
    /// <returns>The observation's index and whether it was new.</returns>
    public (int Index, bool IsNew) AddObservation(string id, SourceLocation? location = null)
    {
        if (observationIndex.TryGetValue(id, out var existing))
        {
            duplicates.Add(new DuplicateId("observation", id, Loc(observationLocations[existing]), Loc(location)));
            return (existing, false);
        }

        return (Append(id, location), true);
    }

    /// <summary>The index of an observation, adding it if new (for formats that name states implicitly).</summary>
    public int GetOrAddObservation(string id, SourceLocation? location = null) =>
        observationIndex.TryGetValue(id, out var i) ? i : Append(id, location);

    /// <summary>The index of a declared observation, or -1.</summary>
    public int IndexOfObservation(string id) => observationIndex.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Sets the auxiliary value of an observation.</summary>
    public void SetAux(int observation, AuxValue value, SourceLocation? location = null)
    {
        aux[observation] = value;
        auxLocations[observation] = location;
    }

    /// <summary>Sets a ground-truth label, e.g. <c>count</c> = <c>4</c>.</summary>
    public void SetLabel(int observation, string name, string value)
    {
        if (!labels.TryGetValue(name, out var column))
        {
            column = [];
            labels[name] = column;
        }

        column[observation] = value;
    }

    /// <summary>Sets the feature vector of an observation.</summary>
    public void SetFeatures(int observation, ImmutableArray<float> vector) => features[observation] = vector;

    /// <summary>Names an initial observation (used for reachability).</summary>
    public void AddInitial(string id) => initial.Add(id);

    /// <summary>
    /// Records <c>T(from, action) = to</c>. An identical repeat is counted, not stored; a second,
    /// different successor is stored (the MDP is then non-deterministic, which conditions report).
    /// </summary>
    public void AddTransition(int from, int action, int to, SourceLocation? location = null)
    {
        var t = new Transition(from, action, to);
        if (!seenTransitions.Add(t))
        {
            repeatedTransitions++;
            return;
        }

        transitions.Add(t);
        transitionLocations.Add(location);
    }

    /// <summary>Freezes the builder into an immutable <see cref="MdpModel"/>.</summary>
    /// <exception cref="InvalidOperationException">When called twice.</exception>
    public MdpModel Build()
    {
        if (built)
        {
            throw new InvalidOperationException("Build may be called once.");
        }

        built = true;
        var n = observations.Count;
        var labelColumns = labels.ToImmutableSortedDictionary(
            kv => kv.Key,
            kv =>
            {
                var column = new string?[n];
                foreach (var (i, v) in kv.Value)
                {
                    column[i] = v;
                }

                return ImmutableArray.Create(column);
            },
            StringComparer.Ordinal);
        var featureColumn = new ImmutableArray<float>[n];
        foreach (var (i, v) in features)
        {
            featureColumn[i] = v;
        }

        return new MdpModel(
            source,
            [.. observations],
            [.. actions],
            [.. transitions],
            [.. aux],
            labelColumns,
            ImmutableArray.Create(featureColumn),
            [.. duplicates],
            repeatedTransitions,
            [.. initial],
            [.. observationLocations],
            [.. transitionLocations],
            [.. auxLocations]);
    }

    private int Append(string id, SourceLocation? location)
    {
        observationIndex[id] = observations.Count;
        observations.Add(id);
        observationLocations.Add(location);
        aux.Add(default);
        auxLocations.Add(null);
        return observations.Count - 1;
    }

    private SourceLocation Loc(SourceLocation? location) => location ?? new SourceLocation(source, 0);
}
