using System.CommandLine;
using System.Text;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Mdp.Graphs;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify conditions FILE</c>: do the theorem's hypotheses hold on this MDP?</summary>
internal static class ConditionsCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var initial = new Option<string[]>("--initial")
        {
            Description = "Observation ids to measure reachability from, repeated or comma-separated (a value that is an id as it stands, commas included, is taken whole; default: the file's initial set, else 'has an incoming transition')",
            HelpName = "ID",
            AllowMultipleArgumentsPerToken = true,
        };
        var noStructure = new Option<bool>("--no-structure") { Description = "Skip the structure section (components by QuikGraph: about 9 s and 300 MB more at 10^6 observations × 4 actions)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("conditions", "Check the theorem's hypotheses: unique ids, determinism, completeness, aux sanity; report reachability and the graph's structure (components, closed components, transient observations). Exit 0 the hypotheses hold, 1 one fails, 2 bad input.");
        input.AddTo(command, analysis: false);
        command.Options.Add(initial);
        command.Options.Add(noStructure);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var mdp = input.Load(r);
            // A value that is an id as it stands is taken whole (ids may hold commas); else it is a comma-separated list.
            var ids = (r.GetValue(initial) ?? []).SelectMany(s => mdp.IndexOfObservation(s) >= 0 ? [s] : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var report = ConditionChecker.Check(mdp, [.. ids.Select(id => InputOptions.Observation(mdp, id))]);
            var structure = r.GetValue(noStructure) ? null : StructureAnalysis.Compute(mdp);
            if (r.GetValue(json))
            {
                io.Out.Write(Json(report, structure, mdp));
            }
            else
            {
                io.WriteText(Text(report, structure, mdp));
            }

            return report.HypothesesHold ? ExitCodes.Ok : ExitCodes.CheckFailed;
        }));
        return command;
    }

    private static string Text(ConditionReport report, GraphStructure? structure, MdpModel mdp)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{report.Source}: {report.Observations} observations, {report.Actions} actions, {report.Transitions} transitions" +
            (report.RepeatedTransitions > 0 ? $" ({report.RepeatedTransitions} repeats ignored)" : ""));
        foreach (var c in report.Results)
        {
            var status = c.Holds ? "ok" : c.IsHypothesis ? "FAIL" : "info";
            sb.AppendLine($"  {c.Name,-13} {status,-5} {c.Summary}");
            foreach (var item in c.First)
            {
                sb.AppendLine($"      {item.Location}: {item.Text}");
            }

            if (c.Count > c.First.Length)
            {
                sb.AppendLine($"      … and {c.Count - c.First.Length} more");
            }
        }

        if (structure is not null)
        {
            StructureText(sb, structure, mdp);
        }

        if (report.HypothesesHold)
        {
            sb.AppendLine("theorem hypotheses: hold — zero-loss encoders must separate every non-bisimilar pair");
        }
        else
        {
            var failed = string.Join(", ", report.FailedHypotheses);
            sb.AppendLine(report.FiniteDataApplies
                ? $"theorem hypotheses: fail ({failed}) — the finite-data form still applies to the observed transitions"
                : $"theorem hypotheses: fail ({failed})");
        }

        return sb.ToString();
    }

    private static void StructureText(StringBuilder sb, GraphStructure s, MdpModel mdp)
    {
        sb.AppendLine("structure (information only)");
        sb.AppendLine($"  components    {s.Components} strongly connected component(s); the largest has {s.LargestComponent} observation(s)");
        sb.AppendLine($"  closed        {s.ClosedCount} closed component(s): no transition leaves them, so every long enough run ends in one");
        foreach (var c in s.Closed)
        {
            sb.AppendLine($"      {c.Size} observation(s): {Names(mdp, c.First, c.Size)}");
        }

        if (s.ClosedCount > s.Closed.Length)
        {
            sb.AppendLine($"      … and {s.ClosedCount - s.Closed.Length} more");
        }

        sb.AppendLine(s.TransientCount == 0
            ? "  transient     every observation lies on a cycle"
            : $"  transient     {s.TransientCount} observation(s) lie on no cycle (never revisited once left): {Names(mdp, s.Transient, s.TransientCount)}");
        if (s.Dataset is { } d)
        {
            sb.AppendLine($"  dataset       {d.WeakComponents} weakly connected part(s) of the observed graph; the largest has {d.LargestWeakComponent} observation(s)");
            sb.AppendLine(d.DeadEndCount == 0
                ? "                every observation has an observed transition"
                : $"                {d.DeadEndCount} observation(s) have no observed transition (only their aux value, and transitions into them, constrain their latents): {Names(mdp, d.DeadEnds, d.DeadEndCount)}");
            sb.AppendLine(d.PairsWithoutCommonAction is { } p
                ? $"                {p} of {d.Pairs} pair(s) share no observed action: the transition loss cannot separate them, only the aux head"
                : $"                pairs sharing no observed action: not counted (more than 64 actions or {StructureAnalysis.MaxActionSets} distinct action sets)");
        }
    }

    private static string Names(MdpModel mdp, IEnumerable<int> first, int count)
    {
        var names = string.Join(", ", first.Select(i => $"'{mdp.Shown(i)}'"));
        return count > first.Count() ? names + ", …" : names;
    }

    private static string Json(ConditionReport report, GraphStructure? structure, MdpModel mdp) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("source", report.Source);
        w.WriteNumber("observations", report.Observations);
        w.WriteNumber("actions", report.Actions);
        w.WriteNumber("transitions", report.Transitions);
        w.WriteNumber("repeated_transitions", report.RepeatedTransitions);
        w.WriteBoolean("deterministic", report.Deterministic);
        w.WriteBoolean("complete", report.Complete);
        w.WriteBoolean("hypotheses_hold", report.HypothesesHold);
        JsonText.Strings(w, "failed", report.FailedHypotheses);
        w.WriteBoolean("finite_data_applies", report.FiniteDataApplies);
        w.WriteStartArray("conditions");
        foreach (var c in report.Results)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteBoolean("holds", c.Holds);
            w.WriteBoolean("hypothesis", c.IsHypothesis);
            w.WriteNumber("count", c.Count);
            w.WriteString("summary", c.Summary);
            w.WriteStartArray("first");
            foreach (var item in c.First)
            {
                w.WriteStartObject();
                w.WriteString("text", item.Text);
                w.WriteString("location", item.Location.ToString());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (structure is null)
        {
            w.WriteNull("structure");
        }
        else
        {
            StructureJson(w, structure, mdp);
        }

        w.WriteEndObject();
    });

    private static void StructureJson(System.Text.Json.Utf8JsonWriter w, GraphStructure s, MdpModel mdp)
    {
        w.WriteStartObject("structure");
        w.WriteNumber("components", s.Components);
        w.WriteNumber("largest_component", s.LargestComponent);
        w.WriteNumber("closed_components", s.ClosedCount);
        w.WriteStartArray("closed");
        foreach (var c in s.Closed)
        {
            w.WriteStartObject();
            w.WriteNumber("size", c.Size);
            JsonText.Strings(w, "first", c.First.Select(i => mdp.Observations[i]));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("transient", s.TransientCount);
        JsonText.Strings(w, "first_transient", s.Transient.Select(i => mdp.Observations[i]));
        if (s.Dataset is { } d)
        {
            w.WriteStartObject("dataset");
            w.WriteNumber("weak_components", d.WeakComponents);
            w.WriteNumber("largest_weak_component", d.LargestWeakComponent);
            w.WriteNumber("dead_ends", d.DeadEndCount);
            JsonText.Strings(w, "first_dead_ends", d.DeadEnds.Select(i => mdp.Observations[i]));
            w.WriteNumber("pairs", d.Pairs);
            if (d.PairsWithoutCommonAction is { } p)
            {
                w.WriteNumber("pairs_without_common_action", p);
            }
            else
            {
                w.WriteNull("pairs_without_common_action");
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("dataset");
        }

        w.WriteEndObject();
    }
}
