using System.Globalization;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Cli.Reports;

/// <summary>The collapse analysis as text lines and JSON fields: one shape for <c>train</c> and <c>assess</c>.</summary>
internal static class CollapseOutput
{
    /// <summary>The analysis lines: classes and clusters, the closest non-equivalent pair, purity and spread, and the first collapsed pairs.</summary>
    public static void Text(StringBuilder sb, CollapseReport report, MdpModel mdp)
    {
        var classes = report.Classes is { } k ? $"{k} bisimulation classes" : $"{report.NonEquivalentPairs} distinguishable pairs (finite data)";
        sb.AppendLine($"  {classes}, {report.Clusters} latent cluster{(report.Clusters == 1 ? "" : "s")} at tolerance {Num(report.Tolerance)}");
        if (report.MinNonEquivalentDistance is { } min)
        {
            sb.AppendLine($"  min non-equivalent distance {Num(min)} × scale {Num(report.Scale)}; violations {report.Violations}");
        }

        var purity = report.Purity is { } p ? $"purity {Num(p)}" : "purity n/a";
        var labels = string.Concat(report.LabelPurity.Select(kv => $", purity vs {kv.Key} {Num(kv.Value)}"));
        sb.AppendLine($"  {purity}{labels}; RankMe {Num(report.EffectiveRank)}; spread within {Num(report.WithinClassSpread)}, between {Num(report.BetweenClassSpread)}");
        foreach (var pair in report.OffendingPairs.Take(5))
        {
            sb.AppendLine($"  collapsed: {mdp.Observations[pair.A]} ~ {mdp.Observations[pair.B]} at {Num(pair.Distance)} (see 'jepa-verify explain {mdp.Source} {mdp.Observations[pair.A]} {mdp.Observations[pair.B]}')");
        }
    }

    /// <summary>The analysis fields, from <c>clusters</c> to <c>offending_pairs</c>; <c>theorem_holds</c> is null when the premise was not measured.</summary>
    public static void Json(Utf8JsonWriter w, CollapseReport report, MdpModel mdp, bool? theoremHolds)
    {
        w.WriteNumber("clusters", report.Clusters);
        if (report.Classes is { } classes)
        {
            w.WriteNumber("classes", classes);
        }
        else
        {
            w.WriteNull("classes");
        }

        w.WriteNumber("nonequivalent_pairs", report.NonEquivalentPairs);
        JsonText.NumberOrNull(w, "min_nonequivalent_distance", report.MinNonEquivalentDistance);
        w.WriteNumber("tolerance", report.Tolerance);
        w.WriteNumber("violations", report.Violations);
        if (theoremHolds is { } holds)
        {
            w.WriteBoolean("theorem_holds", holds);
        }
        else
        {
            w.WriteNull("theorem_holds");
        }

        JsonText.NumberOrNull(w, "scale", report.Scale);
        JsonText.NumberOrNull(w, "purity", report.Purity);
        w.WriteStartObject("label_purity");
        foreach (var (name, value) in report.LabelPurity)
        {
            JsonText.NumberOrNull(w, name, value);
        }

        w.WriteEndObject();
        JsonText.NumberOrNull(w, "effective_rank", report.EffectiveRank);
        JsonText.NumberOrNull(w, "within_class_spread", report.WithinClassSpread);
        JsonText.NumberOrNull(w, "between_class_spread", report.BetweenClassSpread);
        w.WriteStartArray("offending_pairs");
        foreach (var pair in report.OffendingPairs)
        {
            w.WriteStartObject();
            w.WriteString("a", mdp.Observations[pair.A]);
            w.WriteString("b", mdp.Observations[pair.B]);
            JsonText.NumberOrNull(w, "distance", pair.Distance);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A number as the reports print it (4 significant digits), or <c>n/a</c>.</summary>
    public static string Num(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
}
