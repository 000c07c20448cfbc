using System.CommandLine;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify classes FILE</c>: the bisimulation classes (or the finite-data relation).</summary>
internal static class ClassesCommand
{
    /// <summary>More classes than this make <c>--witnesses</c> refuse (it prints one witness per pair of classes).</summary>
    private const int MaxWitnessClasses = 100;

    /// <summary>How many classes and members the text output shows before pointing at <c>--json</c>.</summary>
    private const int TextLimit = 20;

    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var witnesses = new Option<bool>("--witnesses") { Description = $"Also give a shortest distinguishing sequence for every pair of classes (at most {MaxWitnessClasses} classes)" };
        var command = new Command("classes", "Compute the bisimulation classes: the observations a zero-loss encoder must keep apart. With missing transitions, the finite-data relation (or a partition with --missing sink). Exit 0, or 2 on bad input.");
        input.AddTo(command, analysis: true);
        command.Options.Add(witnesses);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var analysis = Analysis.Of(input.Load(r), input.Options(r));
            var pairs = r.GetValue(witnesses) ? ClassWitnesses(analysis) : null;
            if (r.GetValue(json))
            {
                JsonText.WriteTo(io.Out, w => Json(w, analysis, r.GetValue(input.AuxTolerance), pairs));
            }
            else
            {
                io.WriteText(Text(analysis, pairs));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static List<(int A, int B, Witness W)> ClassWitnesses(Analysis analysis)
    {
        var p = analysis.Result.Partition
            ?? throw new UsageException("--witnesses needs classes, but the data are incomplete; use --missing sink, or 'jepa-verify explain FILE A B' for one pair");
        if (p.Count > MaxWitnessClasses)
        {
            throw new UsageException($"--witnesses prints one sequence per pair of classes and there are {p.Count} classes (limit {MaxWitnessClasses}); use 'jepa-verify explain FILE A B' for the pairs you need");
        }

        var list = new List<(int, int, Witness)>();
        for (var c = 0; c < p.Count; c++)
        {
            for (var d = c + 1; d < p.Count; d++)
            {
                var a = p.Members(c)[0];
                var b = p.Members(d)[0];
                list.Add((a, b, analysis.Result.Witness(a, b)!));
            }
        }

        return list;
    }

    private static string Text(Analysis analysis, List<(int A, int B, Witness W)>? witnesses)
    {
        var sb = new StringBuilder();
        var mdp = analysis.Mdp;
        sb.AppendLine(analysis.Summary());
        var auxClasses = analysis.Keys.Length == 0 ? 0 : analysis.Keys.Max() + 1;
        if (analysis.Result.Partition is { } p)
        {
            sb.AppendLine($"{p.Count} bisimulation classes (aux alone gives {auxClasses}){(analysis.Result.UsesSink ? "; missing transitions lead to an absorbing sink" : "")}");
            for (var c = 0; c < Math.Min(p.Count, TextLimit); c++)
            {
                var members = p.Members(c);
                var shown = string.Join(", ", members[..Math.Min(members.Length, TextLimit)].ToArray().Select(mdp.Shown));
                var more = members.Length > TextLimit ? $", … ({members.Length - TextLimit} more)" : "";
                sb.AppendLine($"  class {c} ({members.Length}, aux {mdp.Aux[members[0]]}): {shown}{more}");
            }

            if (p.Count > TextLimit)
            {
                sb.AppendLine($"  … {p.Count - TextLimit} more classes (use --json for all)");
            }
        }
        else
        {
            var rel = analysis.Result.Relation!;
            var undistinguished = rel.PairCount - rel.DistinguishedCount;
            sb.AppendLine($"finite-data relation: {rel.DistinguishedCount} of {rel.PairCount} pairs are distinguishable (aux alone gives {auxClasses} classes); {undistinguished} pairs are not forced apart{(undistinguished > 0 ? ":" : "")}");
            foreach (var (a, b) in rel.Undistinguished().Take(TextLimit))
            {
                sb.AppendLine($"  {mdp.Shown(a)} ~ {mdp.Shown(b)}");
            }

            if (undistinguished > TextLimit)
            {
                sb.AppendLine($"  … {undistinguished - TextLimit} more (use --json for all)");
            }
        }

        if (witnesses is not null)
        {
            sb.AppendLine("shortest distinguishing sequences between class representatives:");
            foreach (var (a, b, w) in witnesses)
            {
                sb.AppendLine($"  {Mdp.OneLine.Escape(analysis.Name(a))} vs {Mdp.OneLine.Escape(analysis.Name(b))}: {w.Describe(analysis.Mdp)}");
            }
        }

        return sb.ToString();
    }

    private static void Json(Utf8JsonWriter w, Analysis analysis, double tolerance, List<(int A, int B, Witness W)>? witnesses)
    {
        var mdp = analysis.Mdp;
        var result = analysis.Result;
        w.WriteStartObject();
        JsonText.MdpSummary(w, analysis);
        w.WriteString("mode", result.Partition is null ? "relation" : "partition");
        w.WriteBoolean("sink", result.UsesSink);
        w.WriteNumber("aux_tolerance", tolerance);
        w.WriteNumber("aux_classes", analysis.Keys.Length == 0 ? 0 : analysis.Keys.Max() + 1);
        if (result.Partition is { } p)
        {
            w.WriteNumber("classes", p.Count);
            w.WriteNumber("distinguished_pairs", p.PairsApart);
            w.WriteStartArray("partition");
            for (var c = 0; c < p.Count; c++)
            {
                w.WriteStartArray();
                foreach (var i in p.Members(c))
                {
                    w.WriteStringValue(mdp.Observations[i]);
                }

                w.WriteEndArray();
                if (w.BytesPending > 1 << 16)
                {
                    w.Flush();
                }
            }

            w.WriteEndArray();
        }
        else
        {
            var rel = result.Relation!;
            w.WriteNull("classes");
            w.WriteNull("partition");
            w.WriteNumber("distinguished_pairs", rel.DistinguishedCount);
            w.WriteStartArray("undistinguished_pairs");
            foreach (var (a, b) in rel.Undistinguished())
            {
                w.WriteStartArray();
                w.WriteStringValue(mdp.Observations[a]);
                w.WriteStringValue(mdp.Observations[b]);
                w.WriteEndArray();
                if (w.BytesPending > 1 << 16)
                {
                    w.Flush();
                }
            }

            w.WriteEndArray();
        }

        if (witnesses is not null)
        {
            w.WriteStartArray("witnesses");
            foreach (var (a, b, wit) in witnesses)
            {
                w.WriteStartObject();
                w.WriteString("a", analysis.Name(a));
                w.WriteString("b", analysis.Name(b));
                Reports.WitnessJson.Write(w, analysis, wit);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
