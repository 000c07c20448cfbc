using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads the JSON MDP format:
/// <c>{"actions": [...], "observations": [{"id", "aux", "labels"?, "features"?}],
/// "transitions": [{"from", "action", "to"}], "initial"?: [...], "description"?: "..."}</c>.
/// </summary>
/// <remarks>
/// Structural errors (bad JSON, wrong types, unknown ids or actions, unknown keys) throw
/// <see cref="MdpFormatException"/>. Problems with the MDP itself (duplicate ids, missing aux,
/// non-determinism, missing transitions) are kept in the result for the condition checker.
/// </remarks>
public static class MdpJsonReader
{
    private const string Expected = "a JSON object with \"actions\", \"observations\" and \"transitions\"";

    /// <summary>Reads an MDP from JSON bytes.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="bytes">The UTF-8 bytes.</param>
    /// <exception cref="MdpFormatException">On malformed input, with file, line and column.</exception>
    public static MdpModel Read(string file, byte[] bytes)
    {
        var (root, locate) = JsonDocumentReader.Parse(file, bytes, Expected);
        var f = new JsonFields(locate);
        f.Expect(root, JsonKind.Object, "the top level", $"write {Expected}");
        f.AllowOnly(root, "the MDP", "actions", "observations", "transitions", "initial", "description");

        var b = new MdpBuilder(file);
        var actions = f.Expect(f.Require(root, "actions", "the MDP", "add \"actions\": [\"a\", ...]"), JsonKind.Array, "\"actions\"", "write a list of action names");
        foreach (var a in actions.Items)
        {
            b.AddAction(f.Id(a, "an action name"), f.At(a));
        }

        var observations = f.Expect(f.Require(root, "observations", "the MDP", "add \"observations\": [{\"id\": ..., \"aux\": ...}]"), JsonKind.Array, "\"observations\"", "write a list of observation objects");
        foreach (var o in observations.Items)
        {
            ReadObservation(f, b, o);
        }

        var transitions = f.Expect(f.Require(root, "transitions", "the MDP", "add \"transitions\": [{\"from\", \"action\", \"to\"}]"), JsonKind.Array, "\"transitions\"", "write a list of transition objects");
        foreach (var t in transitions.Items)
        {
            f.Expect(t, JsonKind.Object, "a transition", "write {\"from\": ..., \"action\": ..., \"to\": ...}");
            f.AllowOnly(t, "a transition", "from", "action", "to");
            var from = Observation(f, b, f.Require(t, "from", "this transition", "add \"from\""), "from");
            var action = f.Require(t, "action", "this transition", "add \"action\"");
            var actionName = f.Id(action, "\"action\"");
            var ai = b.IndexOfAction(actionName);
            if (ai < 0)
            {
                throw new MdpFormatException(f.At(action), $"unknown action '{actionName}'", "declare it in \"actions\" or fix the name");
            }

            var to = Observation(f, b, f.Require(t, "to", "this transition", "add \"to\""), "to");
            b.AddTransition(from, ai, to, f.At(t));
        }

        if (root.Get("initial") is { } initial)
        {
            f.Expect(initial, JsonKind.Array, "\"initial\"", "write a list of observation ids");
            foreach (var i in initial.Items)
            {
                Observation(f, b, i, "initial");
                b.AddInitial(f.Id(i, "an initial observation"));
            }
        }

        if (root.Get("description") is { } description)
        {
            f.Expect(description, JsonKind.String, "\"description\"", "write it as a string");
        }

        return b.Build();
    }

    private static void ReadObservation(JsonFields f, MdpBuilder b, JsonNode o)
    {
        f.Expect(o, JsonKind.Object, "an observation", "write {\"id\": ..., \"aux\": ...}");
        f.AllowOnly(o, "an observation", "id", "aux", "labels", "features");
        var id = f.Id(f.Require(o, "id", "this observation", "add \"id\": \"s0\""), "an observation id");
        var (index, isNew) = b.AddObservation(id, f.At(o));
        if (!isNew)
        {
            return;
        }

        if (o.Get("aux") is { Kind: not JsonKind.Null } aux)
        {
            b.SetAux(index, ReadAux(f, aux), f.At(aux));
        }

        if (o.Get("labels") is { } labels)
        {
            f.Expect(labels, JsonKind.Object, "\"labels\"", "write {\"count\": 3, \"shape\": \"circle\"}");
            foreach (var (name, _, value) in labels.Members)
            {
                b.SetLabel(index, name, f.LabelValue(value, $"label \"{name}\""));
            }
        }

        if (o.Get("features") is { } features)
        {
            f.Expect(features, JsonKind.Array, "\"features\"", "write a list of numbers");
            var v = new float[features.Items.Count];
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = (float)f.Expect(features.Items[i], JsonKind.Number, "a feature", "use numbers only").Number;
            }

            b.SetFeatures(index, ImmutableArray.Create(v));
        }
    }

    private static AuxValue ReadAux(JsonFields f, JsonNode aux)
    {
        if (aux.Kind == JsonKind.Number)
        {
            return AuxValue.Scalar(aux.Number);
        }

        f.Expect(aux, JsonKind.Array, "\"aux\"", "write a number or a list of numbers");
        if (aux.Items.Count == 0)
        {
            throw new MdpFormatException(f.At(aux), "\"aux\" is an empty list", "give at least one number");
        }

        var values = new double[aux.Items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = f.Expect(aux.Items[i], JsonKind.Number, "an aux component", "use numbers only").Number;
        }

        return new AuxValue(ImmutableArray.Create(values));
    }

    private static int Observation(JsonFields f, MdpBuilder b, JsonNode node, string role)
    {
        var id = f.Id(node, $"\"{role}\"");
        var index = b.IndexOfObservation(id);
        if (index < 0)
        {
            throw new MdpFormatException(f.At(node), $"unknown observation '{id}' in \"{role}\"", "declare it in \"observations\" or fix the id");
        }

        return index;
    }
}
