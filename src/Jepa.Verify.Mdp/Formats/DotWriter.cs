using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>Writes an MDP as a Graphviz digraph: one node per observation, parallel edges merged into one labelled edge.</summary>
public static class DotWriter
{
    /// <summary>The DOT text; node labels show the id, the aux value and, when present, the <c>members</c> label.</summary>
    public static string Write(MdpModel mdp, string graphName = "mdp")
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Id(graphName)).Append(" {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        mdp.Labels.TryGetValue("members", out var members);
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            var label = $"{mdp.Observations[i]}\\naux={Escape(mdp.Aux[i].ToString())}";
            if (!members.IsDefault && members[i] is { } m)
            {
                label += $"\\n{Escape(m)} obs";
            }

            sb.Append("  ").Append(Id(mdp.Observations[i])).Append(" [label=\"").Append(label).Append("\"];\n");
        }

        foreach (var group in mdp.Transitions.GroupBy(t => (t.From, t.To)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.To))
        {
            var actions = string.Join(", ", group.Select(t => mdp.Actions[t.Action]));
            sb.Append("  ").Append(Id(mdp.Observations[group.Key.From])).Append(" -> ").Append(Id(mdp.Observations[group.Key.To]))
              .Append(" [label=\"").Append(Escape(actions)).Append("\"];\n");
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Id(string s) => "\"" + Escape(s) + "\"";

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
