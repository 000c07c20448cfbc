using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Audit;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify audit FILE</c>: which ground-truth distinctions does an aux function preserve?</summary>
internal static class AuditCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions(maxAuxFiles: 2);
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels to audit, comma-separated (default: every label in the input)",
            HelpName = "NAME,…",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("audit", "Audit an aux function: per label, whether the classes keep it or ignore it, for aux alone and for aux + dynamics. Give --aux-file twice to compare two aux functions. Exit 0, or 2 on bad input.");
        input.AddTo(command, analysis: true);
        command.Options.Add(labels);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var auxFiles = input.AuxFilePaths(r);
            var options = input.Options(r);
            var baseMdp = input.Load(r);
            var variants = new List<(string Name, MdpModel Mdp)> { (auxFiles.Length > 0 ? auxFiles[0] : $"{baseMdp.Source} (its own aux)", baseMdp) };
            if (auxFiles.Length == 2)
            {
                variants.Add((auxFiles[1], AuxFile.Read(auxFiles[1]).ApplyTo(baseMdp)));
            }

            var names = LabelNames(r.GetValue(labels), variants[^1].Mdp);
            var audit = AuditRun.Of(variants, options, names);
            if (r.GetValue(json))
            {
                io.Out.Write(Json(audit));
            }
            else
            {
                io.WriteText(Text(audit, names));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static List<string> LabelNames(string[]? requested, MdpModel mdp)
    {
        var available = mdp.Labels.Keys.ToList();
        if (requested is null || requested.Length == 0)
        {
            return available;
        }

        var names = requested.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
        foreach (var name in names.Where(n => !mdp.Labels.ContainsKey(n)))
        {
            var have = available.Count == 0 ? "it has no labels (add \"labels\" to observations, or label_NAME columns to an aux file)" : $"it has {string.Join(", ", available)}";
            throw new UsageException($"unknown label '{name}' in {mdp.Source}; {have}");
        }

        return names;
    }

    private static string Text(AuditRun run, List<string> labels)
    {
        var (analyses, audits, comparison) = (run.Analyses, run.Audits, run.Comparison);
        var sb = new StringBuilder();
        sb.AppendLine(analyses[0].Summary());
        for (var k = 0; k < audits.Length; k++)
        {
            var audit = audits[k];
            sb.AppendLine();
            sb.AppendLine($"aux function: {audit.AuxName}");
            var table = new TextTable("", "aux only", "aux + dynamics")
                .Row("classes", Groups(audit.AuxOnly), Groups(audit.Bisimulation))
                .Row("distinguished pairs", $"{audit.AuxOnly.DistinguishedPairs}", $"{audit.Bisimulation.DistinguishedPairs}");
            for (var i = 0; i < audit.AuxOnly.Labels.Length; i++)
            {
                var l = audit.AuxOnly.Labels[i];
                table.Row($"label {l.Label} ({l.Values} values)", Cell(l), Cell(audit.Bisimulation.Labels[i]));
            }

            sb.Append(table);
            if (labels.Count == 0)
            {
                sb.AppendLine("  (no labels to audit: add \"labels\" to observations, or label_NAME columns to an aux file)");
            }
        }

        if (comparison is not null)
        {
            var a = analyses[0];
            var b = analyses[1];
            sb.AppendLine();
            sb.AppendLine($"distinctions forced (aux + dynamics): {comparison.Both} pairs by both, {comparison.OnlyA} only by {audits[0].AuxName}, {comparison.OnlyB} only by {audits[1].AuxName}");
            if (comparison.OnlyA == 0 && comparison.OnlyB == 0)
            {
                sb.AppendLine("  with the dynamics, both aux functions force exactly the same distinctions");
            }

            if (comparison.ExampleOnlyA is var (x, y))
            {
                sb.AppendLine($"  e.g. only {audits[0].AuxName} separates {Mdp.OneLine.Escape(a.Name(x))} and {Mdp.OneLine.Escape(a.Name(y))}: {a.Result.Witness(x, y)!.Describe(a.Mdp)}");
            }

            if (comparison.ExampleOnlyB is var (u, v))
            {
                sb.AppendLine($"  e.g. only {audits[1].AuxName} separates {Mdp.OneLine.Escape(b.Name(u))} and {Mdp.OneLine.Escape(b.Name(v))}: {b.Result.Witness(u, v)!.Describe(b.Mdp)}");
            }
        }

        return sb.ToString();
    }

    private static string Groups(GroupingAudit g) => g.Groups is { } n ? n.ToString(CultureInfo.InvariantCulture) : "(relation)";

    private static string Cell(LabelAudit l)
    {
        var purity = l.Purity is { } p ? $"purity {F(p)}, " : "";
        return $"{l.Verdict} ({purity}separated {F(l.SeparatedFraction)})";
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Json(AuditRun run) => JsonText.Write(w =>
    {
        var (first, audits, comparison) = (run.Analyses[0], run.Audits, run.Comparison);
        w.WriteStartObject();
        w.WriteString("source", first.Mdp.Source);
        w.WriteNumber("observations", first.Mdp.ObservationCount);
        w.WriteStartArray("audits");
        foreach (var audit in audits)
        {
            w.WriteStartObject();
            w.WriteString("aux", audit.AuxName);
            Grouping(w, "aux_only", audit.AuxOnly);
            Grouping(w, "bisimulation", audit.Bisimulation);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (comparison is not null)
        {
            w.WriteStartObject("comparison");
            w.WriteNumber("both", comparison.Both);
            w.WriteNumber("only_first", comparison.OnlyA);
            w.WriteNumber("only_second", comparison.OnlyB);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    });

    private static void Grouping(Utf8JsonWriter w, string name, GroupingAudit g)
    {
        w.WriteStartObject(name);
        JsonText.NumberOrNull(w, "classes", g.Groups);

        w.WriteNumber("distinguished_pairs", g.DistinguishedPairs);
        w.WriteStartObject("labels");
        foreach (var l in g.Labels)
        {
            w.WriteStartObject(l.Label);
            w.WriteString("verdict", l.Verdict);
            w.WriteNumber("values", l.Values);
            JsonText.NumberOrNull(w, "purity", l.Purity);
            JsonText.NumberOrNull(w, "span", l.Span);
            w.WriteNumber("separated_fraction", l.SeparatedFraction);
            JsonText.NumberOrNull(w, "mixed_classes", l.MixedGroups);

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
