using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>Writes an MDP in the JSON format <see cref="MdpJsonReader"/> reads; output is deterministic.</summary>
public static class MdpJsonWriter
{
    /// <summary>The JSON text: one observation or transition per line, numbers round-trippable.</summary>
    public static string Write(MdpModel mdp, string? description = null)
    {
        var sb = new StringBuilder();
        sb.Append("{\n");
        if (description is not null)
        {
            sb.Append("  \"description\": ").Append(Quote(description)).Append(",\n");
        }

        sb.Append("  \"actions\": [").Append(string.Join(", ", mdp.Actions.Select(Quote))).Append("],\n");
        sb.Append(mdp.ObservationCount == 0 ? "  \"observations\": [" : "  \"observations\": [\n");
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            sb.Append("    {\"id\": ").Append(Quote(mdp.Observations[i]));
            var aux = mdp.Aux[i];
            if (!aux.IsMissing)
            {
                sb.Append(", \"aux\": ").Append(aux.Length == 1 ? Number(aux.Components[0]) : "[" + string.Join(", ", aux.Components.Select(Number)) + "]");
            }

            var labels = mdp.Labels.Where(kv => kv.Value[i] is not null).ToList();
            if (labels.Count > 0)
            {
                sb.Append(", \"labels\": {").Append(string.Join(", ", labels.Select(kv => Quote(kv.Key) + ": " + Quote(kv.Value[i]!)))).Append('}');
            }

            var features = mdp.Features[i];
            if (!features.IsDefault)
            {
                sb.Append(", \"features\": [").Append(string.Join(", ", features.Select(f => Number(f)))).Append(']');
            }

            sb.Append('}').Append(i + 1 < mdp.ObservationCount ? ",\n" : "\n");
        }

        sb.Append(mdp.ObservationCount == 0 ? "],\n" : "  ],\n");
        if (mdp.Initial.Length > 0)
        {
            sb.Append("  \"initial\": [").Append(string.Join(", ", mdp.Initial.Select(Quote))).Append("],\n");
        }

        sb.Append(mdp.Transitions.Length == 0 ? "  \"transitions\": [" : "  \"transitions\": [\n");
        for (var j = 0; j < mdp.Transitions.Length; j++)
        {
            var t = mdp.Transitions[j];
            sb.Append("    {\"from\": ").Append(Quote(mdp.Observations[t.From]))
              .Append(", \"action\": ").Append(Quote(mdp.Actions[t.Action]))
              .Append(", \"to\": ").Append(Quote(mdp.Observations[t.To])).Append('}')
              .Append(j + 1 < mdp.Transitions.Length ? ",\n" : "\n");
        }

        sb.Append(mdp.Transitions.Length == 0 ? "]\n}\n" : "  ]\n}\n");
        return sb.ToString();
    }

    /// <summary>A JSON string literal.</summary>
    public static string Quote(string s) => JsonSerializer.Serialize(s, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Number(double v) => AuxValue.Format(v);
}
