using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Writes an MDP in the JSON format <see cref="MdpJsonReader"/> reads, through System.Text.Json's
/// <see cref="Utf8JsonWriter"/>, streaming: one observation or transition per line (readable, diff-friendly),
/// numbers round-trippable, output deterministic.
/// </summary>
public static class MdpJsonWriter
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };
    private static readonly byte[] ItemIndent = "\n    "u8.ToArray();

    /// <summary>Writes the MDP to <paramref name="stream"/> without holding the text in memory.</summary>
    /// <param name="stream">Where to write (UTF-8, no byte order mark).</param>
    /// <param name="mdp">The MDP.</param>
    /// <param name="description">An optional <c>"description"</c>, e.g. where the MDP came from.</param>
    public static void Write(Stream stream, MdpModel mdp, string? description = null)
    {
        var item = new ArrayBufferWriter<byte>();
        using var itemWriter = new Utf8JsonWriter(item, Compact);
        using var w = new Utf8JsonWriter(stream, Compact);
        w.WriteStartObject();
        if (description is not null)
        {
            w.WriteString("description", description);
        }

        w.WriteStartArray("actions");
        foreach (var a in mdp.Actions)
        {
            w.WriteStringValue(a);
        }

        w.WriteEndArray();
        if (mdp.FeatureShape.Length > 0)
        {
            w.WriteStartArray("feature_shape");
            foreach (var d in mdp.FeatureShape)
            {
                w.WriteNumberValue(d);
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("observations");
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            Item(w, item, itemWriter, iw => Observation(iw, mdp, i));
        }

        w.WriteEndArray();
        if (mdp.Initial.Length > 0)
        {
            w.WriteStartArray("initial");
            foreach (var id in mdp.Initial)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("transitions");
        foreach (var t in mdp.Transitions)
        {
            Item(w, item, itemWriter, iw =>
            {
                iw.WriteStartObject();
                iw.WriteString("from", mdp.Observations[t.From]);
                iw.WriteString("action", mdp.Actions[t.Action]);
                iw.WriteString("to", mdp.Observations[t.To]);
                iw.WriteEndObject();
            });
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.Write("\n"u8);
    }

    /// <summary>The JSON text (for small MDPs and tests; files are better written with <see cref="WriteFile"/>).</summary>
    public static string Write(MdpModel mdp, string? description = null)
    {
        using var stream = new MemoryStream();
        Write(stream, mdp, description);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the MDP to a file atomically (a temporary file, then a rename), streaming.</summary>
    /// <exception cref="MdpFormatException">When the file cannot be written.</exception>
    public static void WriteFile(string path, MdpModel mdp, string? description = null) =>
        AtomicFile.Write(path, stream => Write(stream, mdp, description));

    /// <summary>One array element on its own line: written compactly, then placed raw after a line break.</summary>
    private static void Item(Utf8JsonWriter w, ArrayBufferWriter<byte> item, Utf8JsonWriter itemWriter, Action<Utf8JsonWriter> body)
    {
        item.ResetWrittenCount();
        item.Write(ItemIndent);
        itemWriter.Reset(item);
        body(itemWriter);
        itemWriter.Flush();
        w.WriteRawValue(item.WrittenSpan, skipInputValidation: true);
        if (w.BytesPending > 1 << 16)
        {
            w.Flush();
        }
    }

    private static void Observation(Utf8JsonWriter w, MdpModel mdp, int i)
    {
        w.WriteStartObject();
        w.WriteString("id", mdp.Observations[i]);
        var aux = mdp.Aux[i];
        if (!aux.IsMissing)
        {
            w.WritePropertyName("aux");
            if (aux.Length == 1)
            {
                Number(w, aux.Components[0]);
            }
            else
            {
                w.WriteStartArray();
                foreach (var c in aux.Components)
                {
                    Number(w, c);
                }

                w.WriteEndArray();
            }
        }

        var labeled = false;
        foreach (var (name, column) in mdp.Labels)
        {
            if (column[i] is { } value)
            {
                if (!labeled)
                {
                    w.WriteStartObject("labels");
                    labeled = true;
                }

                w.WriteString(name, value);
            }
        }

        if (labeled)
        {
            w.WriteEndObject();
        }

        var features = mdp.Features[i];
        if (!features.IsDefault)
        {
            w.WriteStartArray("features");
            foreach (var f in features)
            {
                w.WriteNumberValue(f);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>A number as <see cref="AuxValue.Format"/> writes it (negative zero as 0); NaN and ∞, which JSON lacks, as null.</summary>
    private static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumberValue(v == 0 ? 0.0 : v);
        }
        else
        {
            w.WriteNullValue();
        }
    }
}
