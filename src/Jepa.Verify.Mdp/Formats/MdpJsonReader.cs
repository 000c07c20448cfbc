using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads the JSON MDP format:
/// <c>{"actions": [...], "observations": [{"id", "aux", "labels"?, "features"?}],
/// "transitions": [{"from", "action", "to"}], "initial"?: [...], "description"?: "..."}</c>.
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
    private static readonly string[] Keys = ["actions", "observations", "transitions", "initial", "description"];
    private static readonly string[] ObservationKeys = ["id", "aux", "labels", "features"];
    private static readonly string[] TransitionKeys = ["from", "action", "to"];
    private static readonly string[] TransitionRoles = ["\"from\"", "\"action\"", "\"to\""];

    /// <summary>Reads an MDP from a file, streaming.</summary>
    /// <param name="path">The file, named as in messages.</param>
    /// <exception cref="MdpFormatException">On malformed input, with file, line and column.</exception>
    public static MdpModel Read(string path)
    {
        using var stream = TextFile.OpenRead(path);
        return Read(path, stream, SourceMap.ForFile(path));
    }

    /// <summary>Reads an MDP from JSON bytes.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="bytes">The UTF-8 bytes.</param>
    /// <exception cref="MdpFormatException">On malformed input, with file, line and column.</exception>
    public static MdpModel Read(string file, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(file, stream, SourceMap.ForBytes(file, bytes));
    }

    private static MdpModel Read(string file, Stream stream, SourceMap map)
    {
        var reader = new Reader(file, map);
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

        return reader.Build();
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
    /// Transitions read but not yet added, with their observation ids queued for one batched lookup
    /// (<see cref="IdTable.IndexOfMany"/>): on a large MDP almost every lookup misses the caches, and a
    /// batch lets the processor overlap those misses.
    /// </summary>
    private sealed class PendingTransitions
    {
        private const int Batch = 512;

        public (int From, int Action, int To, long At)[] Transitions { get; } = new (int, int, int, long)[Batch];

        public (int Start, int Length)[] Keys { get; } = new (int, int)[2 * Batch];

        /// <summary>Where each queued id was read and its role (0 "from", 2 "to"), for messages.</summary>
        public (long At, int Role)[] KeyAt { get; } = new (long, int)[2 * Batch];

        public int[] Indexes { get; } = new int[2 * Batch];

        public uint[] Hashes { get; } = new uint[2 * Batch];

        public byte[] Bytes { get; } = new byte[64 * 1024];

        /// <summary>The members of the transition being read: an index, ~k for queued key k, or <see cref="Missing"/>.</summary>
        public int[] Current { get; } = new int[3];

        public int Count { get; set; }

        public int KeyCount { get; set; }

        public int Used { get; set; }
    }

    /// <summary>The state of one read: the builder, the scratch space for ids, and the sections left for later.</summary>
    private sealed class Reader(string file, SourceMap map)
    {
        private readonly MdpBuilder b = new(file, map);
        private readonly byte[] scratch = new byte[1024];
        private readonly byte[] lastFrom = new byte[256];
        private int lastFromLength;
        private int lastFromIndex; // an index, or ~k while the id is queued as pending key k
        private readonly PendingTransitions pending = new();
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

        private void ReadObservations(ref JsonStream s)
        {
            ExpectArray(ref s, "\"observations\"", "write a list of observation objects");
            var seen = new long[ObservationKeys.Length];
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                if (s.TokenType != JsonTokenType.StartObject)
                {
                    throw new MdpFormatException(s.Here, $"an observation must be an object, found {s.Describe()}", "write {\"id\": ..., \"aux\": ...}");
                }

                var at = s.TokenOffset;
                Array.Fill(seen, -1);
                string? id = null;
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
                            id = IdString(ref s, "an observation id");
                            break;
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

                if (id is null)
                {
                    throw new MdpFormatException(s.Locate(at), "this observation has no \"id\"", "add \"id\": \"s0\"");
                }

                var (index, isNew) = b.AddObservation(id, at);
                if (!isNew)
                {
                    continue;
                }

                if (!aux.IsMissing)
                {
                    b.SetAux(index, aux, seen[1]);
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
        }

        private void ReadTransitions(ref JsonStream s)
        {
            ExpectArray(ref s, "\"transitions\"", "write a list of transition objects");
            var seen = new long[TransitionKeys.Length];
            var ends = pending.Current;
            try
            {
                while (s.Read() && s.TokenType != JsonTokenType.EndArray)
                {
                    if (s.TokenType != JsonTokenType.StartObject)
                    {
                        throw new MdpFormatException(s.Here, $"a transition must be an object, found {s.Describe()}", "write {\"from\": ..., \"action\": ..., \"to\": ...}");
                    }

                    var at = s.TokenOffset;
                    Array.Fill(seen, -1);
                    Array.Fill(ends, Missing);
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
                            ends[key] = Observation(ref s, id, key);
                            if (key == 0 && id.Length <= lastFrom.Length)
                            {
                                id.CopyTo(lastFrom);
                                (lastFromLength, lastFromIndex) = (id.Length, ends[0]);
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

                    if (pending.Count == pending.Transitions.Length)
                    {
                        Flush(ref s);
                    }

                    pending.Transitions[pending.Count++] = (ends[0], ends[1], ends[2], at);
                }

                Flush(ref s);
            }
            catch (MdpFormatException) when (pending.Count > 0 || pending.KeyCount > 0)
            {
                Flush(ref s); // an unknown id earlier in the file is the first error
                throw;
            }
        }

        /// <summary>
        /// An observation id of a transition: its index when the batch already holds it unresolved,
        /// else queued for <see cref="Flush"/> as ~(its key number).
        /// </summary>
        private int Observation(ref JsonStream s, scoped ReadOnlySpan<byte> id, int role)
        {
            if (id.Length > pending.Bytes.Length / 4)
            {
                var index = b.IndexOfObservation(id);
                return index >= 0 ? index : throw UnknownObservation(s.Here, id, role);
            }

            if (pending.KeyCount == pending.Keys.Length || pending.Used + id.Length > pending.Bytes.Length)
            {
                Flush(ref s);
            }

            var k = pending.KeyCount++;
            id.CopyTo(pending.Bytes.AsSpan(pending.Used));
            pending.Keys[k] = (pending.Used, id.Length);
            pending.KeyAt[k] = (s.TokenOffset, role);
            pending.Used += id.Length;
            return ~k;
        }

        /// <summary>Resolves the queued observation ids in one batch and adds the queued transitions in file order.</summary>
        private void Flush(ref JsonStream s)
        {
            var n = pending.KeyCount;
            b.IndexOfObservations(pending.Bytes, pending.Keys.AsSpan(0, n), pending.Indexes, pending.Hashes);
            for (var k = 0; k < n; k++)
            {
                if (pending.Indexes[k] < 0)
                {
                    var (start, length) = pending.Keys[k];
                    throw UnknownObservation(s.Locate(pending.KeyAt[k].At), pending.Bytes.AsSpan(start, length), pending.KeyAt[k].Role);
                }
            }

            for (var i = 0; i < pending.Count; i++)
            {
                var (from, action, to, at) = pending.Transitions[i];
                b.AddTransition(from < 0 ? pending.Indexes[~from] : from, action, to < 0 ? pending.Indexes[~to] : to, at);
            }

            if (lastFromLength > 0 && lastFromIndex < 0)
            {
                lastFromIndex = pending.Indexes[~lastFromIndex];
            }

            var current = pending.Current; // the transition being read when a full batch is flushed
            for (var key = 0; key < current.Length; key++)
            {
                if (current[key] < 0 && current[key] != Missing)
                {
                    current[key] = pending.Indexes[~current[key]];
                }
            }

            (pending.Count, pending.KeyCount, pending.Used) = (0, 0, 0);
        }

        private static MdpFormatException UnknownObservation(SourceLocation where, ReadOnlySpan<byte> id, int role) =>
            new(where, $"unknown observation '{Encoding.UTF8.GetString(id)}' in {TransitionRoles[role]}", "declare it in \"observations\" or fix the id");

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

            var values = new List<float>();
            while (s.Read() && s.TokenType != JsonTokenType.EndArray)
            {
                var v = Number(ref s, "a feature");
                var f = (float)v;
                if (float.IsInfinity(f))
                {
                    throw new MdpFormatException(s.Here, $"the feature {AuxValue.Format(v)} is beyond the float32 range (±3.4e38) the models compute in",
                        "scale the features (for example to [0, 1] or zero mean and unit variance)");
                }

                values.Add(f);
            }

            return [.. values];
        }

        private static double Number(ref JsonStream s, string what)
        {
            if (s.TokenType != JsonTokenType.Number)
            {
                throw new MdpFormatException(s.Here, $"{what} must be a number, found {s.Describe()}", "use numbers only");
            }

            if (!s.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                throw new MdpFormatException(s.Here, $"the number {Encoding.UTF8.GetString(s.ValueSpan)} is out of range", "use a finite double-precision number");
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
