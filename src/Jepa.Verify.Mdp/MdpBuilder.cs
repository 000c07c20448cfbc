using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Jepa.Verify.Mdp;

/// <summary>
/// Builds an <see cref="MdpModel"/> step by step, interning ids. Used by every reader and by the
/// built-in environments. Not thread-safe; <see cref="Build"/> may be called once.
/// </summary>
/// <remarks>
/// Readers pass the position of each item in their file (a byte offset, or a line for a
/// <see cref="SourceMap.ForLines"/> map); lines and columns are computed only when a message needs them.
/// </remarks>
/// <example>
/// <code>
/// var b = new MdpBuilder("two-states");
/// var inc = b.AddAction("inc");
/// var s0 = b.AddObservation("s0").Index; var s1 = b.AddObservation("s1").Index;
/// b.SetAux(s0, AuxValue.Scalar(0)); b.SetAux(s1, AuxValue.Scalar(1));
/// b.AddTransition(s0, inc, s1); b.AddTransition(s1, inc, s1);
/// MdpModel mdp = b.Build();
/// </code>
/// </example>
public sealed class MdpBuilder
{
    private readonly string source;
    private readonly SourceMap? map;
    private readonly List<string> observations = [];
    private readonly List<int> observationPositions = [];
    private readonly IdTable observationIndex = new();
    private readonly List<string> actions = [];
    private readonly List<int> actionPositions = [];
    private readonly IdTable actionIndex = new();
    private Transition[] transitions = [];
    private int[] transitionPositions = [];
    private int transitionCount;
    private readonly List<AuxValue> aux = [];
    private readonly List<int> auxPositions = [];
    private readonly SortedDictionary<string, Dictionary<int, string>> labels = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ImmutableArray<float>> features = [];
    private readonly List<DuplicateId> duplicates = [];
    private readonly List<string> initial = [];
    private ImmutableArray<int> featureShape = [];
    private bool built;
    private byte[] utf8 = new byte[256];

    /// <summary>Starts an empty MDP.</summary>
    /// <param name="source">A file path or environment name, used in every message about it.</param>
    /// <param name="map">The file the positions passed to the other methods point into; null when built in code.</param>
    public MdpBuilder(string source, SourceMap? map = null)
    {
        this.source = source;
        this.map = map;
    }

    /// <summary>Number of observations added so far.</summary>
    public int ObservationCount => observations.Count;

    /// <summary>Number of actions added so far.</summary>
    public int ActionCount => actions.Count;

    /// <summary>Declares an action. A repeated name is recorded in <see cref="MdpModel.Duplicates"/>.</summary>
    /// <param name="name">The action's name, e.g. <c>inc</c>.</param>
    /// <param name="position">Where it was read (see the remarks), or −1.</param>
    /// <returns>The action's index (the first declaration's, for a repeat).</returns>
    public int AddAction(string name, long position = -1)
    {
        var (index, isNew) = actionIndex.Add(Utf8(name));
        if (!isNew)
        {
            duplicates.Add(new DuplicateId("action", name, source, map, actionPositions[index], position));
            return index;
        }

        actions.Add(name);
        actionPositions.Add(Narrow(position));
        return index;
    }

    /// <summary>The index of an action, adding it if new (for formats without an action list).</summary>
    public int GetOrAddAction(string name, long position = -1) =>
        IndexOfAction(name) is var i and >= 0 ? i : AddAction(name, position);

    /// <summary>The index of a declared action, or -1.</summary>
    public int IndexOfAction(ReadOnlySpan<char> name) => actionIndex.IndexOf(name);

    /// <summary>The index of a declared action given as UTF-8 bytes, or -1 (readers look names up without decoding them).</summary>
    internal int IndexOfAction(ReadOnlySpan<byte> utf8) => actionIndex.IndexOf(utf8);

    /// <summary>Declares an observation. A repeated id is recorded in <see cref="MdpModel.Duplicates"/>.</summary>
    /// <param name="id">The observation's id, e.g. <c>s0</c>.</param>
    /// <param name="position">Where it was read (see the remarks), or −1.</param>
    /// <returns>The observation's index and whether it was new.</returns>
    public (int Index, bool IsNew) AddObservation(string id, long position = -1) => AddObservation(Utf8(id), position, id);

    /// <summary>Declares an observation whose id is given as UTF-8 bytes (the string is made only when it is new).</summary>
    internal (int Index, bool IsNew) AddObservation(ReadOnlySpan<byte> utf8, long position, string? id = null)
    {
        var (index, isNew) = observationIndex.Add(utf8);
        if (!isNew)
        {
            duplicates.Add(new DuplicateId("observation", id ?? Encoding.UTF8.GetString(utf8), source, map, observationPositions[index], position));
            return (index, false);
        }

        observations.Add(id ?? Encoding.UTF8.GetString(utf8));
        observationPositions.Add(Narrow(position));
        aux.Add(default);
        auxPositions.Add(-1);
        return (index, true);
    }

    /// <summary>The index of an observation, adding it if new (for formats that name states implicitly).</summary>
    public int GetOrAddObservation(string id, long position = -1) =>
        IndexOfObservation(id) is var i and >= 0 ? i : AddObservation(Utf8(id), position, id).Index;

    /// <summary>The index of a declared observation, or -1.</summary>
    public int IndexOfObservation(ReadOnlySpan<char> id) => observationIndex.IndexOf(id);

    /// <summary>The index of a declared observation given as UTF-8 bytes, or -1.</summary>
    internal int IndexOfObservation(ReadOnlySpan<byte> utf8) => observationIndex.IndexOf(utf8);

    /// <summary>The indexes of many observation ids given as UTF-8 (−1 for an unknown one); see <see cref="IdTable.IndexOfMany"/>.</summary>
    internal void IndexOfObservations(ReadOnlySpan<byte> bytes, ReadOnlySpan<(int Start, int Length)> keys, Span<int> indexes, Span<uint> hashes) =>
        observationIndex.IndexOfMany(bytes, keys, indexes, hashes);

    /// <summary>Sets the auxiliary value of an observation.</summary>
    public void SetAux(int observation, AuxValue value, long position = -1)
    {
        aux[observation] = value;
        auxPositions[observation] = Narrow(position);
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

    /// <summary>
    /// Sets the shape of the feature vectors (<see cref="MdpModel.FeatureShape"/>): <c>[C, H, W]</c> for channel-major
    /// images. The caller checks it against the vectors' lengths.
    /// </summary>
    public void SetFeatureShape(ImmutableArray<int> shape) => featureShape = shape;

    /// <summary>Names an initial observation (used for reachability).</summary>
    public void AddInitial(string id) => initial.Add(id);

    /// <summary>
    /// Records <c>T(from, action) = to</c>. An identical repeat is counted, not stored; a second,
    /// different successor is stored (the MDP is then non-deterministic, which conditions report).
    /// </summary>
    /// <exception cref="InvalidOperationException">After <see cref="Build"/>: the model keeps the store.</exception>
    public void AddTransition(int from, int action, int to, long position = -1)
    {
        if (built)
        {
            throw new InvalidOperationException("the MDP is built; add transitions before Build");
        }

        if (transitionCount == transitions.Length)
        {
            ReserveTransitions(Math.Max(16, 2 * transitionCount));
        }

        transitions[transitionCount] = new Transition(from, action, to);
        transitionPositions[transitionCount++] = Narrow(position);
    }

    /// <summary>
    /// Makes room for <paramref name="capacity"/> transitions in all, so that a reader that knows
    /// about how many will come (a complete MDP has one per observation and action) adds them without
    /// copying them as the store grows. When exactly that many come, none repeated,
    /// <see cref="Build"/> keeps the store as it is.
    /// </summary>
    public void ReserveTransitions(int capacity)
    {
        if (capacity <= transitions.Length)
        {
            return;
        }

        // Not zeroed: pages a generous reservation never reaches are never touched.
        var more = GC.AllocateUninitializedArray<Transition>(capacity);
        var positions = GC.AllocateUninitializedArray<int>(capacity);
        transitions.AsSpan(0, transitionCount).CopyTo(more);
        transitionPositions.AsSpan(0, transitionCount).CopyTo(positions);
        (transitions, transitionPositions) = (more, positions);
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

        var (distinct, positions, repeats) = Distinct();
        return new MdpModel(
            source,
            [.. observations],
            [.. actions],
            distinct,
            [.. aux],
            labelColumns,
            ImmutableCollectionsMarshal.AsImmutableArray(featureColumn),
            [.. duplicates],
            repeats,
            [.. initial],
            observationIndex,
            new SourcePositions(map, [.. observationPositions]),
            positions,
            new SourcePositions(map, [.. auxPositions])) { FeatureShape = featureShape };
    }

    /// <summary>
    /// Drops identical repeats of a transition, keeping the first in input order: one successor per
    /// (observation, action) slot is remembered (a flat array when the slots are few enough, else a
    /// dictionary); only slots with a second successor need a set of the triples seen. Without
    /// repeats the store itself is kept (trimmed if it was reserved larger).
    /// </summary>
    private (ImmutableArray<Transition> Distinct, SourcePositions Positions, int Repeats) Distinct()
    {
        var all = transitions.AsSpan(0, transitionCount);
        var slots = (long)observations.Count * actions.Count;
        var dense = slots <= Math.Max(1L << 20, 4L * all.Length) ? new int[slots] : null;
        var sparse = dense is null ? new Dictionary<long, int>() : null;
        HashSet<Transition>? extra = null;
        Transition[]? kept = null; // made at the first repeat
        int[]? keptPositions = null;
        var count = 0;
        for (var i = 0; i < all.Length; i++)
        {
            var t = all[i];
            var slot = ((long)t.From * actions.Count) + t.Action;
            int first; // the first successor + 1, or 0 when the slot is new
            if (dense is not null)
            {
                first = dense[slot];
                if (first == 0)
                {
                    dense[slot] = t.To + 1;
                }
            }
            else if (!sparse!.TryGetValue(slot, out first))
            {
                sparse[slot] = t.To + 1;
            }

            if (first != 0 && (first == t.To + 1 || !(extra ??= []).Add(t)))
            {
                if (kept is null)
                {
                    kept = new Transition[all.Length];
                    keptPositions = new int[all.Length];
                    all[..i].CopyTo(kept);
                    transitionPositions.AsSpan(0, i).CopyTo(keptPositions);
                }

                continue; // an identical repeat
            }

            if (kept is not null)
            {
                kept[count] = t;
                keptPositions![count] = transitionPositions[i];
            }

            count++;
        }

        kept ??= transitions;
        keptPositions ??= transitionPositions;
        Array.Resize(ref kept, count);
        Array.Resize(ref keptPositions, count);
        return (ImmutableCollectionsMarshal.AsImmutableArray(kept), new SourcePositions(map, keptPositions), all.Length - count);
    }

    /// <summary>Positions are kept as 32-bit numbers: inputs are at most 1 GiB (<see cref="Formats.TextFile.MaxBytes"/>).</summary>
    private static int Narrow(long position) => position is >= 0 and <= int.MaxValue ? (int)position : -1;

    /// <summary>An id's UTF-8 bytes in a buffer reused from call to call.</summary>
    private ReadOnlySpan<byte> Utf8(string id)
    {
        var max = Encoding.UTF8.GetMaxByteCount(id.Length);
        if (max > utf8.Length)
        {
            utf8 = new byte[max];
        }

        return utf8.AsSpan(0, Encoding.UTF8.GetBytes(id, utf8));
    }
}
