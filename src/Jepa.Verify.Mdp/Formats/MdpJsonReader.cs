using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads the JSON MDP format:
/// <c>{"actions": [...], "observations": [{"id", "aux", "labels"?, "features"?}],
/// "transitions": [{"from", "action", "to"}], "initial"?: [...], "description"?: "...", "feature_shape"?: [C, H, W]}</c>.
/// </summary>
/// <remarks>
/// <para>
/// One streaming pass with System.Text.Json's <see cref="Utf8JsonReader"/>: no document tree, time
/// linear in the file whatever its layout (one line as Python's <c>json.dump</c> writes it, pretty,
/// CRLF, a byte order mark), and lines and columns computed only for messages. The keys may come in
/// any order: a <c>"transitions"</c> (or <c>"initial"</c>) list met before the lists it refers to is
/// skipped and read again from its offset at the end.
/// </para>
/// <para>
/// Ids are strings, or numbers kept as their literal text: <c>9223372036854775807</c> stays that,
/// and <c>1e2</c> and <c>100</c> are different ids.
/// </para>
/// <para>
/// Structural errors (bad JSON, wrong types, unknown ids or actions, unknown keys) throw
/// <see cref="MdpFormatException"/>. Problems with the MDP itself (duplicate ids, missing aux,
/// non-determinism, missing transitions) are kept in the result for the condition checker.
/// </para>
/// </remarks>
public static class MdpJsonReader
{
    private const string Expected = "a JSON object with \"actions\", \"observations\" and \"transitions\"";
    private static readonly string[] Keys = ["actions", "observations", "transitions", "initial", "description", "feature_shape"];
    private static readonly string[] ObservationKeys = ["id", "aux", "labels", "features"];
    private static readonly string[] TransitionKeys = ["from", "action", "to"];
    private static readonly string[] TransitionRoles = ["\"from\"", "\"action\"", "\"to\""];

    /// <summary>Reads an MDP from a file, streaming.</summary>
    /// <param name="path">The file, named as in messages.</param>
    /// <exception cref="MdpFormatException">On malformed input, with file, line and column.</exception>
    public static MdpModel Read(string path)
    {
        using var stream = TextFile.OpenRead(path);
        return Read(path, stream, TextFile.MapFor(path, stream));
    }

    /// <summary>Reads an MDP from JSON bytes.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="bytes">The UTF-8 bytes.</param>
    /// <exception cref="MdpFormatException">On malformed input, with file, line and column.</exception>
    public static MdpModel Read(string file, byte[] bytes) => Read(file, bytes, OrderedWorker.Worthwhile(bytes.Length));

    /// <summary>As <see cref="Read(string, byte[])"/>, with the work split over two threads or not (for tests: the result must not depend on it).</summary>
    internal static MdpModel Read(string file, byte[] bytes, bool threaded)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(file, stream, SourceMap.ForBytes(file, bytes), threaded);
    }

    /// <remarks>
    /// Large files are read by two threads (<see cref="OrderedWorker"/>): this one tokenises, the worker
    /// interns the observations and resolves the transitions' ids, batch by batch, in file order. On the
    /// 100,000 × 2 benchmark that took the whole process from 0.25 to 0.17 s; the result, errors
    /// included, is the same either way.
    /// </remarks>
    private static MdpModel Read(string file, Stream stream, SourceMap map, bool? threaded = null)
    {
        using var worker = new OrderedWorker(threaded ?? OrderedWorker.Worthwhile(stream.Length));
        var reader = new Reader(file, map, worker, stream.Length);
        var s = new JsonStream(stream, map);
        if (s.IsEmpty || !s.Read())
        {
            throw new MdpFormatException(new SourceLocation(file, 1, 1), "the file is empty", $"expected {Expected}");
        }

        if (s.TokenType != JsonTokenType.StartObject)
        {
            throw new MdpFormatException(s.Here, $"the top level must be an object, found {s.Describe()}", $"write {Expected}");
        }

        var rootOffset = s.TokenOffset;
        var sections = new long[Keys.Length];
        Array.Fill(sections, -1);
        while (s.Read() && s.TokenType != JsonTokenType.EndObject)
        {
            var key = Key(ref s, "the MDP", Keys, sections);
            s.Read();
            sections[key] = s.TokenOffset;
            if (!reader.TryReadSection(ref s, key))
            {
                s.SkipValue(); // read again once the lists it refers to are known
            }
        }

        s.Read(); // throws on anything but whitespace and comments after the object
        string[] fixes = ["add \"actions\": [\"a\", ...]", "add \"observations\": [{\"id\": ..., \"aux\": ...}]", "add \"transitions\": [{\"from\", \"action\", \"to\"}]"];
        for (var key = 0; key < fixes.Length; key++)
        {
            if (sections[key] < 0)
            {
                throw new MdpFormatException(map.Locate(rootOffset), $"the MDP has no \"{Keys[key]}\"", fixes[key]);
            }
        }

        foreach (var key in reader.Deferred)
        {
            var again = new JsonStream(stream, map, sections[key]);
            again.Read();
            reader.TryReadSection(ref again, key);
        }

        var mdp = reader.Build();
        if (sections[5] >= 0)
        {
            CheckFeatureShape(mdp, map.Locate(sections[5]));
        }

        return mdp;
    }

    /// <summary>The largest feature vector <c>"feature_shape"</c> may describe (2³¹ − 1 elements).</summary>
    private const long MaxFeatures = int.MaxValue;

    /// <summary>Every observation has features, as many as the shape's product.</summary>
    private static void CheckFeatureShape(MdpModel mdp, SourceLocation shapeAt)
    {
        var shape = mdp.FeatureShape;
        var size = shape.Aggregate(1L, (a, d) => a * d);
        var text = $"[{string.Join(", ", shape)}]";
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            var f = mdp.Features[i];
            if (f.IsDefault || f.Length != size)
            {
                throw new MdpFormatException(mdp.LocationOfObservation(i),
                    $"observation '{mdp.Observations[i]}' has {(f.IsDefault ? "no \"features\"" : $"{f.Length} features")}, but \"feature_shape\" {text} (at line {shapeAt.Line}) says {size}",
                    $"give every observation {size} features, or fix \"feature_shape\"");
            }
        }
    }

    /// <summary>Reads a property name, checks it is allowed and not repeated, and returns its index in <paramref name="keys"/>.</summary>
    private static int Key(ref JsonStream s, string what, string[] keys, long[] seen)
    {
        var name = s.GetString();
        var key = Array.IndexOf(keys, name);
        if (key < 0)
        {
            throw new MdpFormatException(s.Here, $"unknown key \"{name}\" in {what}", $"use only {string.Join(", ", keys.Select(k => '"' + k + '"'))}");
        }

        if (seen[key] >= 0)
        {
            throw new MdpFormatException(s.Here, $"key \"{name}\" appears twice in {what}", "keep one of them");
        }

        return key;
    }

    /// <summary>Marks a transition member not (yet) seen; queued ids are ~k ≤ −1, so this is below any of them.</summary>
    private const int Missing = int.MinValue;

    /// <summary>
    /// Observations read but not yet added: their ids' bytes and what came with them. The reading thread
    /// fills a batch; the <see cref="OrderedWorker"/> adds it to the builder.
    /// </summary>
    private sealed class ObservationBatch
    {
        public const int Size = 512;

        public (string Id, int Start, int Length, long At, AuxValue Aux, long AuxAt, List<(string, string)>? Labels, float[]? Features)[] Items { get; } =
            new (string, int, int, long, AuxValue, long, List<(string, string)>?, float[]?)[Size];

        public ByteArena Ids { get; } = new();

        public int Count { get; set; }

        public bool Full => Count == Size || Ids.Used >= ByteArena.Target;
    }

    /// <summary>The ids of a batch, one after another.</summary>
    private sealed class ByteArena
    {
        /// <summary>A batch is sent on once its ids take this many bytes.</summary>
        public const int Target = 16 * 1024;

        public byte[] Bytes { get; private set; } = new byte[Target + 1024];

        public int Used { get; set; }

        /// <summary>Copies an id's bytes in; returns where they lie.</summary>
        public (int Start, int Length) Keep(ReadOnlySpan<byte> id)
        {
            if (Used + id.Length > Bytes.Length)
            {
                var bytes = Bytes;
                Array.Resize(ref bytes, Math.Max(2 * bytes.Length, Used + id.Length));
                Bytes = bytes;
            }

            id.CopyTo(Bytes.AsSpan(Used));
            Used += id.Length;
            return (Used - id.Length, id.Length);
        }
    }

    /// <summary>
    /// Transitions read but not yet added, with their observation ids queued for one batched lookup
    /// (<see cref="IdTable.IndexOfMany"/>): on a large MDP almost every lookup misses the caches, and a
    /// batch lets the processor overlap those misses. The reading thread fills a batch; the
    /// <see cref="OrderedWorker"/> resolves and adds it.
    /// </summary>
    private sealed class TransitionBatch
    {
        public const int Size = 512;

        /// <summary>The transitions: each end an index, or ~k for queued key k.</summary>
        public (int From, int Action, int To, long At)[] Transitions { get; } = new (int, int, int, long)[Size];

        /// <summary>Each queued id's place in <see cref="Ids"/>, where it was read, and its role (0 "from", 2 "to"), for messages.</summary>
        public (int Start, int Length, long At, int Role)[] Keys { get; } = new (int, int, long, int)[2 * Size];

        public int[] Indexes { get; } = new int[2 * Size];

        public uint[] Hashes { get; } = new uint[2 * Size];

        public (int Start, int Length)[] Spans { get; } = new (int, int)[2 * Size];

        public ByteArena Ids { get; } = new();

        public int Count { get; set; }

        public int KeyCount { get; set; }

        public bool Full => Count == Size || Ids.Used >= ByteArena.Target;
    }

    /// <summary>The state of one read: the builder, the scratch space for ids, the batches in flight, and the sections left for later.</summary>
    private sealed class Reader(string file, SourceMap map, OrderedWorker worker, long length)
    {
        private readonly MdpBuilder b = new(file, map);
        private readonly byte[] scratch = new byte[1024];
        private readonly byte[] lastFrom = new byte[256];
        private int lastFromLength;
        private int lastFromIndex; // an index, or ~k while the id is queued as key k of the current batch
        private readonly ConcurrentQueue<ObservationBatch> freeObservations = new();
        private readonly ConcurrentQueue<TransitionBatch> freeTransitions = new();
        private readonly ScalarAux scalars = new();
        private bool actionsRead;
        private bool observationsRead;

        public List<int> Deferred { get; } = [];

        public MdpModel Build() => b.Build();

        /// <summary>Reads the section <paramref name="key"/> (an index into <see cref="Keys"/>), or false when it must wait.</summary>
        public bool TryReadSection(ref JsonStream s, int key)
        {
            switch (key)
            {
                case 0:
                    ReadActions(ref s);
                    actionsRead = true;
                    return true;
                case 1:
                    ReadObservations(ref s);
                    observationsRead = true;
                    return true;
                case 2 when actionsRead && observationsRead:
                    ReadTransitions(ref s);
                    return true;
                case 3 when observationsRead:
                    ReadInitial(ref s);
                    return true;
                case 4:
                    if (s.TokenType != JsonTokenType.String)
                    {
                        throw new MdpFormatException(s.Here, $"\"description\" must be a string, found {s.Describe()}", "write it as a string");
                    }

                    return true;
                case 5:
                    ReadFeatureShape(ref s);
                    return true;
                default:
                    Deferred.Add(key);
                    return false;
            }
        }

        private void ReadActions(ref JsonStream s)
        {
            ExpectArray(ref s, "\"actions\"", "write a list of action names");
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                b.AddAction(IdString(ref s, "an action name"), s.TokenOffset);
            }
        }

        /// <summary>
        /// Reads the observations into batches that the worker adds to the builder, and waits for the
        /// last one: what follows looks observations up.
        /// </summary>
        private void ReadObservations(ref JsonStream s)
        {
            ExpectArray(ref s, "\"observations\"", "write a list of observation objects");
            var seen = new long[ObservationKeys.Length];
            var batch = Rent(freeObservations);
            try
            {
                while (s.Read() && s.TokenType != JsonTokenType.EndArray)
                {
                    if (s.TokenType != JsonTokenType.StartObject)
                    {
                        throw new MdpFormatException(s.Here, $"an observation must be an object, found {s.Describe()}", "write {\"id\": ..., \"aux\": ...}");
                    }

                    var at = s.TokenOffset;
                    Array.Fill(seen, -1);
                    (string Text, int Start, int Length)? id = null;
                    AuxValue aux = default;
                    List<(string, string)>? labels = null;
                    float[]? features = null;
                    while (s.Read() && s.TokenType != JsonTokenType.EndObject)
                    {
                        var key = ObservationKey(ref s, seen);
                        s.Read();
                        seen[key] = s.TokenOffset;
                        switch (key)
                        {
                            case 0:
                            {
                                var bytes = ValidIdBytes(ref s, "an observation id");
                                var kept = batch.Ids.Keep(bytes);
                                id = (Encoding.UTF8.GetString(bytes), kept.Start, kept.Length); // the string is made here, off the worker's path
                                break;
                            }

                            case 1:
                                aux = ReadAux(ref s);
                                break;
                            case 2:
                                labels = ReadLabels(ref s);
                                break;
                            default:
                                features = ReadFeatures(ref s);
                                break;
                        }
                    }

                    var (text, start, length) = id ?? throw new MdpFormatException(s.Locate(at), "this observation has no \"id\"", "add \"id\": \"s0\"");
                    batch.Items[batch.Count++] = (text, start, length, at, aux, seen[1], labels, features);
                    if (batch.Full)
                    {
                        Post(batch);
                        batch = Rent(freeObservations);
                    }
                }
            }
            finally
            {
                // Also on an error: the worker's (an unknown id) comes earlier in the file, and Drain throws it instead.
                Post(batch);
                worker.Drain();
            }
        }

        private void Post(ObservationBatch batch) => worker.Post(() => Add(batch));

        /// <summary>The worker's half of <see cref="ReadObservations"/>: adds a batch's observations in file order.</summary>
        private void Add(ObservationBatch batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var (id, start, length, at, aux, auxAt, labels, features) = batch.Items[i];
                var (index, isNew) = b.AddObservation(batch.Ids.Bytes.AsSpan(start, length), at, id);
                if (!isNew)
                {
                    continue;
                }

                if (!aux.IsMissing)
                {
                    b.SetAux(index, aux, auxAt);
                }

                foreach (var (name, value) in labels ?? [])
                {
                    b.SetLabel(index, name, value);
                }

                if (features is not null)
                {
                    b.SetFeatures(index, ImmutableArray.Create(features));
                }
            }

            Array.Clear(batch.Items, 0, batch.Count); // drops the labels and features it held
            (batch.Count, batch.Ids.Used) = (0, 0);
            freeObservations.Enqueue(batch);
        }

        /// <summary>
        /// Reads the transitions into batches that the worker resolves and adds, and waits for the last one.
        /// </summary>
        private void ReadTransitions(ref JsonStream s)
        {
            ExpectArray(ref s, "\"transitions\"", "write a list of transition objects");
            b.ReserveTransitions(ExpectedTransitions(s.TokenOffset));
            var seen = new long[TransitionKeys.Length];
            Span<int> ends = stackalloc int[3];
            var batch = Rent(freeTransitions);
            lastFromLength = 0;
            try
            {
                while (s.Read() && s.TokenType != JsonTokenType.EndArray)
                {
                    if (s.TokenType != JsonTokenType.StartObject)
                    {
                        throw new MdpFormatException(s.Here, $"a transition must be an object, found {s.Describe()}", "write {\"from\": ..., \"action\": ..., \"to\": ...}");
                    }

                    if (batch.Full)
                    {
                        Post(batch);
                        batch = Rent(freeTransitions);
                        lastFromLength = 0; // its index is the worker's to find now
                    }

                    var at = s.TokenOffset;
                    Array.Fill(seen, -1);
                    ends.Fill(Missing);
                    while (s.Read() && s.TokenType != JsonTokenType.EndObject)
                    {
                        var key = TransitionKey(ref s, seen);
                        s.Read();
                        seen[key] = s.TokenOffset;
                        var id = IdBytes(ref s, TransitionRoles[key]);
                        if (key == 1)
                        {
                            ends[1] = b.IndexOfAction(id);
                            if (ends[1] < 0)
                            {
                                throw new MdpFormatException(s.Here, $"unknown action '{Encoding.UTF8.GetString(id)}'", "declare it in \"actions\" or fix the name");
                            }
                        }
                        else if (key == 0 && lastFromLength > 0 && id.SequenceEqual(lastFrom.AsSpan(0, lastFromLength)))
                        {
                            ends[0] = lastFromIndex; // transitions usually come grouped by source: one lookup per source
                        }
                        else
                        {
                            var k = batch.KeyCount++;
                            var (start, length) = batch.Ids.Keep(id);
                            batch.Keys[k] = (start, length, s.TokenOffset, key);
                            ends[key] = ~k;
                            if (key == 0 && id.Length <= lastFrom.Length)
                            {
                                id.CopyTo(lastFrom);
                                (lastFromLength, lastFromIndex) = (id.Length, ~k);
                            }
                        }
                    }

                    for (var key = 0; key < 3; key++)
                    {
                        if (ends[key] == Missing)
                        {
                            throw new MdpFormatException(s.Locate(at), $"this transition has no \"{TransitionKeys[key]}\"", $"add \"{TransitionKeys[key]}\"");
                        }
                    }

                    batch.Transitions[batch.Count++] = (ends[0], ends[1], ends[2], at);
                }
            }
            finally
            {
                // Also on an error: the worker's (an unknown id) comes earlier in the file, and Drain throws it instead.
                Post(batch);
                worker.Drain();
            }
        }

        /// <summary>
        /// How many transitions to make room for: one per observation and action (a complete MDP, the
        /// usual file) when the rest of the file can hold that many, else as many as it can hold.
        /// </summary>
        private int ExpectedTransitions(long offset)
        {
            const int Smallest = 30; // {"from":0,"action":"a","to":1}
            var room = (length - offset) / Smallest;
            return (int)Math.Min(Math.Min(room, (long)b.ObservationCount * b.ActionCount), 1 << 24); // beyond that, growing is cheap beside the reading
        }

        private void Post(TransitionBatch batch) => worker.Post(() => Add(batch));

        /// <summary>The worker's half of <see cref="ReadTransitions"/>: resolves a batch's ids at once and adds its transitions in file order.</summary>
        private void Add(TransitionBatch batch)
        {
            var n = batch.KeyCount;
            for (var k = 0; k < n; k++)
            {
                batch.Spans[k] = (batch.Keys[k].Start, batch.Keys[k].Length);
            }

            b.IndexOfObservations(batch.Ids.Bytes, batch.Spans.AsSpan(0, n), batch.Indexes, batch.Hashes);
            for (var k = 0; k < n; k++)
            {
                if (batch.Indexes[k] < 0)
                {
                    var (start, length, at, role) = batch.Keys[k];
                    var unknown = Encoding.UTF8.GetString(batch.Ids.Bytes.AsSpan(start, length));
                    throw new MdpFormatException(map.Locate(at), $"unknown observation '{unknown}'{OneLine.CodePoints(unknown)} in {TransitionRoles[role]}",
                        "declare it in \"observations\" or fix the id");
                }
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var (from, action, to, at) = batch.Transitions[i];
                b.AddTransition(from < 0 ? batch.Indexes[~from] : from, action, to < 0 ? batch.Indexes[~to] : to, at);
            }

            (batch.Count, batch.KeyCount, batch.Ids.Used) = (0, 0, 0);
            freeTransitions.Enqueue(batch);
        }

        private static T Rent<T>(ConcurrentQueue<T> free)
            where T : new() => free.TryDequeue(out var batch) ? batch : new T();

        /// <summary>
        /// <c>"feature_shape"</c>: 1 to 3 positive integers whose product is at most 2³¹ − 1 (<c>[C, H, W]</c> for
        /// channel-major images); the lengths are checked once the observations are read.
        /// </summary>
        private void ReadFeatureShape(ref JsonStream s)
        {
            const string Fix = "write the shape of one observation's features, e.g. [3, 64, 64] for channel-major RGB images (PyTorch's [C, H, W])";
            ExpectArray(ref s, "\"feature_shape\"", Fix);
            var at = s.Here;
            var dims = new List<int>();
            long size = 1;
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                if (s.TokenType != JsonTokenType.Number || !s.TryGetDouble(out var d) || d != Math.Floor(d) || d < 1 || d > MaxFeatures)
                {
                    throw new MdpFormatException(s.Here, $"\"feature_shape\" must hold positive integers, found {s.Describe()}", Fix);
                }

                dims.Add((int)d);
                size *= (long)d;
                if (dims.Count > 3 || size > MaxFeatures)
                {
                    throw new MdpFormatException(at, dims.Count > 3 ? "\"feature_shape\" has more than 3 dimensions" : $"\"feature_shape\" describes more than {MaxFeatures} features", Fix);
                }
            }

            if (dims.Count == 0)
            {
                throw new MdpFormatException(at, "\"feature_shape\" is empty", Fix);
            }

            b.SetFeatureShape([.. dims]);
        }

        private void ReadInitial(ref JsonStream s)
        {
            ExpectArray(ref s, "\"initial\"", "write a list of observation ids");
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                var id = IdString(ref s, "\"initial\"");
                if (b.IndexOfObservation(id) < 0)
                {
                    throw new MdpFormatException(s.Here, $"unknown observation '{id}' in \"initial\"", "declare it in \"observations\" or fix the id");
                }

                b.AddInitial(id);
            }
        }

        /// <summary>The key of a transition member, compared as UTF-8 without allocating.</summary>
        private static int TransitionKey(ref JsonStream s, long[] seen)
        {
            int key = s.ValueIsEscaped ? Array.IndexOf(TransitionKeys, s.GetString())
                : s.ValueTextEquals("from"u8) ? 0 : s.ValueTextEquals("action"u8) ? 1 : s.ValueTextEquals("to"u8) ? 2 : -1;
            return key >= 0 && seen[key] < 0 ? key : Key(ref s, "a transition", TransitionKeys, seen);
        }

        /// <summary>The key of an observation member; the common "id" and "aux" compared as UTF-8 without allocating.</summary>
        private static int ObservationKey(ref JsonStream s, long[] seen)
        {
            int key = s.ValueIsEscaped ? -1 : s.ValueTextEquals("id"u8) ? 0 : s.ValueTextEquals("aux"u8) ? 1 : -1;
            return key >= 0 && seen[key] < 0 ? key : Key(ref s, "an observation", ObservationKeys, seen);
        }

        private AuxValue ReadAux(ref JsonStream s)
        {
            switch (s.TokenType)
            {
                case JsonTokenType.Null:
                    return default;
                case JsonTokenType.Number:
                    return scalars.Get(Number(ref s, "\"aux\""));

                case JsonTokenType.StartArray:
                {
                    var at = s.Here;
                    var values = new List<double>();
                    while (s.Read() && s.TokenType != JsonTokenType.EndArray)
                    {
                        values.Add(Number(ref s, "an aux component"));
                    }

                    if (values.Count == 0)
                    {
                        throw new MdpFormatException(at, "\"aux\" is an empty list", "give at least one number");
                    }

                    return new AuxValue([.. values]);
                }

                default:
                    throw new MdpFormatException(s.Here, $"\"aux\" must be a number or a list of numbers, found {s.Describe()}", "write a number or a list of numbers");
            }
        }

        private static List<(string, string)> ReadLabels(ref JsonStream s)
        {
            if (s.TokenType != JsonTokenType.StartObject)
            {
                throw new MdpFormatException(s.Here, $"\"labels\" must be an object, found {s.Describe()}", "write {\"count\": 3, \"shape\": \"circle\"}");
            }

            var labels = new List<(string, string)>();
            while (s.Read() && s.TokenType != JsonTokenType.EndObject)
            {
                var name = s.GetString();
                s.Read();
                var value = s.TokenType switch
                {
                    JsonTokenType.String => s.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(s.ValueSpan),
                    JsonTokenType.True => "true",
                    JsonTokenType.False => "false",
                    _ => throw new MdpFormatException(s.Here, $"label \"{name}\" must be a string or a number, found {s.Describe()}", "give a scalar label value"),
                };
                labels.Add((name, value));
            }

            return labels;
        }

        private static float[] ReadFeatures(ref JsonStream s)
        {
            if (s.TokenType != JsonTokenType.StartArray)
            {
                throw new MdpFormatException(s.Here, $"\"features\" must be an array, found {s.Describe()}", "write a list of numbers");
            }

            var at = s.TokenOffset;
            var values = new List<float>();
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                var v = Number(ref s, "a feature", exact: false); // features become float32: aux values, which decide the classes, must be exact
                var f = (float)v;
                if (float.IsInfinity(f))
                {
                    throw new MdpFormatException(s.Here, $"the feature {AuxValue.Format(v)} is beyond the float32 range (±3.4e38) the models compute in",
                        "scale the features (for example to [0, 1] or zero mean and unit variance)");
                }

                values.Add(f);
            }

            if (values.Count == 0)
            {
                // One meaning everywhere: an empty list is neither "no features" for training nor equal features for conditions.
                throw new MdpFormatException(s.Locate(at), "\"features\" is an empty list", "leave \"features\" out (the models then read one-hot ids) or give at least one number");
            }

            return [.. values];
        }

        private static double Number(ref JsonStream s, string what, bool exact = true)
        {
            if (s.TokenType != JsonTokenType.Number)
            {
                throw new MdpFormatException(s.Here, $"{what} must be a number, found {s.Describe()}", "use numbers only");
            }

            if (!s.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                throw new MdpFormatException(s.Here, $"the number {Encoding.UTF8.GetString(s.ValueSpan)} is out of range", "use a finite double-precision number");
            }

            if (exact && ExactNumber.Problem(s.ValueSpan, value) is { } lost)
            {
                throw new MdpFormatException(s.Here, $"{what} {Encoding.UTF8.GetString(s.ValueSpan)} {lost}, so values that differ could be merged", "write a value a double holds exactly (the one it becomes, if that is what you meant), rescale the aux, or give it as a label");
            }

            return value;
        }

        private static void ExpectArray(ref JsonStream s, string what, string fix)
        {
            if (s.TokenType != JsonTokenType.StartArray)
            {
                throw new MdpFormatException(s.Here, $"{what} must be an array, found {s.Describe()}", fix);
            }
        }

        /// <summary>An id as a new string: a non-empty JSON string, or a number's literal text.</summary>
        private static string IdString(ref JsonStream s, string what)
        {
            CheckId(ref s, what);
            return s.TokenType == JsonTokenType.String ? s.GetString() : Encoding.UTF8.GetString(s.ValueSpan);
        }

        /// <summary>An id's UTF-8 bytes (in the file's buffer, or unescaped into the scratch buffer), for lookups.</summary>
        private ReadOnlySpan<byte> IdBytes(ref JsonStream s, string what)
        {
            CheckId(ref s, what);
            return s.Utf8(scratch);
        }

        /// <summary>As <see cref="IdBytes"/>, for an id that becomes a string: text that is not UTF-8 is an error here, as it is for <see cref="JsonStream.GetString"/>.</summary>
        private ReadOnlySpan<byte> ValidIdBytes(ref JsonStream s, string what)
        {
            var id = IdBytes(ref s, what);
            if (!System.Text.Unicode.Utf8.IsValid(id))
            {
                s.GetString(); // throws the reader's message for invalid UTF-8
                throw new MdpFormatException(s.Here, $"{what} is not valid UTF-8 text", "save the file as UTF-8 JSON");
            }

            return id;
        }

        private static void CheckId(ref JsonStream s, string what)
        {
            if (s.TokenType == JsonTokenType.Number || (s.TokenType == JsonTokenType.String && s.ValueSpan.Length > 0))
            {
                return;
            }

            throw s.TokenType == JsonTokenType.String
                ? new MdpFormatException(s.Here, $"{what} is an empty string", "give it a non-empty name")
                : new MdpFormatException(s.Here, $"{what} must be a string, found {s.Describe()}", "write it as a string, e.g. \"s0\"");
        }
    }
}
