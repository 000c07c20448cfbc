using System.CommandLine;
using System.Text;
using Jepa.Verify.Mdp.Conditions;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify conditions FILE</c>: do the theorem's hypotheses hold on this MDP?</summary>
internal static class ConditionsCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var initial = new Option<string[]>("--initial")
        {
            Description = "Observation ids to measure reachability from (default: the file's initial set, else 'has an incoming transition')",
            HelpName = "ID",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("conditions", "Check the theorem's hypotheses: unique ids, determinism, completeness, aux sanity; report reachability. Exit 1 when a hypothesis fails.");
        input.AddTo(command, analysis: false);
        command.Options.Add(initial);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var mdp = input.Load(r);
            var ids = (r.GetValue(initial) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var report = ConditionChecker.Check(mdp, [.. ids.Select(id => InputOptions.Observation(mdp, id))]);
            if (r.GetValue(json))
            {
                io.Out.Write(Json(report));
            }
            else
            {
                io.WriteText(Text(report));
            }

            return report.HypothesesHold ? ExitCodes.Ok : ExitCodes.CheckFailed;
        }));
        return command;
    }

    private static string Text(ConditionReport report)
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

    private static string Json(ConditionReport report) => JsonText.Write(w =>
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
        w.WriteEndObject();
    });
}
