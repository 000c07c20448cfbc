using System.Text.Json;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Reports;

/// <summary>A distinguishing witness as JSON fields (used by <c>explain</c> and <c>classes --witnesses</c>).</summary>
internal static class WitnessJson
{
    /// <summary>Writes <c>sequence</c>, <c>aux</c> and <c>reached</c> for a witness.</summary>
    public static void Write(Utf8JsonWriter w, Analysis analysis, Witness witness)
    {
        JsonText.Strings(w, "sequence", witness.Actions.Select(x => analysis.Mdp.Actions[x]));
        w.WriteStartArray("aux");
        AuxValue(w, analysis, witness.EndA);
        AuxValue(w, analysis, witness.EndB);
        w.WriteEndArray();
        JsonText.Strings(w, "reached", [analysis.Name(witness.EndA), analysis.Name(witness.EndB)]);
    }

    private static void AuxValue(Utf8JsonWriter w, Analysis analysis, int state)
    {
        if (state < analysis.Mdp.ObservationCount)
        {
            JsonText.Aux(w, analysis.Mdp.Aux[state]);
        }
        else
        {
            w.WriteStringValue("sink");
        }
    }
}
