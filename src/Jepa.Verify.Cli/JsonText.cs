using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Cli;

/// <summary>Deterministic, indented JSON for every <c>--json</c> report.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            body(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// Streams the JSON to <paramref name="output"/>: whatever the body has written goes out at each
    /// <see cref="Utf8JsonWriter.Flush"/>, so a report of a million ids is never held whole in memory.
    /// </summary>
    public static void WriteTo(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using (var stream = TextWriterStream.Over(output))
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            body(w);
        }

        output.Write('\n');
    }

    /// <summary>The MDP's source and size and whether it is deterministic and complete: the fields every summary of an MDP starts with.</summary>
    public static void MdpSummary(Utf8JsonWriter w, Pipeline.Analysis analysis)
    {
        var mdp = analysis.Mdp;
        w.WriteString("source", mdp.Source);
        w.WriteNumber("observations", mdp.ObservationCount);
        w.WriteNumber("actions", mdp.ActionCount);
        w.WriteNumber("transitions", mdp.Transitions.Length);
        w.WriteBoolean("deterministic", analysis.Report.Deterministic);
        w.WriteBoolean("complete", analysis.Report.Complete);
        w.WriteNumber("missing_transitions", analysis.Report["completeness"].Count);
    }

    /// <summary>A number for a scalar, an array for a vector, null when missing; negative zero as 0.</summary>
    public static void Aux(Utf8JsonWriter w, AuxValue v)
    {
        if (v.IsMissing)
        {
            w.WriteNullValue();
        }
        else if (v.Length == 1)
        {
            w.WriteNumberValue(v.Components[0] == 0 ? 0.0 : v.Components[0]);
        }
        else
        {
            w.WriteStartArray();
            foreach (var c in v.Components)
            {
                w.WriteNumberValue(c == 0 ? 0.0 : c);
            }

            w.WriteEndArray();
        }
    }

    /// <summary>A number, or null when absent or not finite (JSON has no NaN or ∞).</summary>
    public static void NumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>A Boolean, or null when unknown.</summary>
    public static void BooleanOrNull(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>A string, or null when absent.</summary>
    public static void StringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
