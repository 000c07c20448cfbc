using System.Globalization;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Learning.Certify;
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
        if (report.Metrics is { } m)
        {
            sb.AppendLine($"  srank(1%) {m.SRank}, α-ReQ {Num(m.AlphaReq)}, LiDAR {Num(m.Lidar)}; separation ratio {Num(m.SeparationRatio)} (nearest pair that must be apart / widest class); linear probe of the class {Num(m.ProbeAccuracy)}");
        }
        foreach (var pair in report.OffendingPairs.Take(5))
        {
            sb.AppendLine($"  collapsed: {mdp.Shown(pair.A)} ~ {mdp.Shown(pair.B)} at {Num(pair.Distance)} (see 'jepa-verify explain {mdp.Arguments} {MdpModel.ShellWord(mdp.Observations[pair.A])} {MdpModel.ShellWord(mdp.Observations[pair.B])}')");
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
        var m = report.Metrics;
        JsonText.NumberOrNull(w, "srank", m?.SRank);
        JsonText.NumberOrNull(w, "alpha_req", m?.AlphaReq);
        JsonText.NumberOrNull(w, "lidar", m?.Lidar);
        JsonText.NumberOrNull(w, "separation_ratio", m?.SeparationRatio);
        JsonText.NumberOrNull(w, "probe_accuracy", m?.ProbeAccuracy);
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

    /// <summary>
    /// The certificate lines: how many pairs are certified, the Lipschitz constants and residuals, the required residual, and
    /// the hardest pairs left uncertified, shortest witness first, each with its witness (what tells the pair apart).
    /// </summary>
    public static void Certificate(StringBuilder sb, Separation separation, Analysis analysis)
    {
        var mdp = analysis.Mdp;
        if (separation.Certificate is not { } c)
        {
            sb.AppendLine($"  certificate: none ({separation.NoCertificate})");
            return;
        }

        sb.AppendLine($"  certificate: {c.CertifiedPairs} of {c.NonEquivalentPairs} non-equivalent pairs certified{Sources(c)}; min certified distance {(c.MinCertifiedDistance is { } m ? $"{Num(m)} × scale" : "n/a")}{(c.TightnessMedian is { } med ? $"; bound/distance min {Num(c.TightnessMin)}, median {Num(med)}" : "")}");
        if (c.Level is { } level)
        {
            sb.AppendLine($"  certificate level: {level.Summary}");
        }

        sb.AppendLine($"  L_T {Num(c.LipschitzTransition)}, L_P {Num(c.LipschitzAux)}; max residual e_T {Num(c.MaxResidualDyn)}, e_P {Num(c.MaxResidualAux)}{(separation.AuxSpace is { } space ? $" (aux in {space} space)" : "")}; required residual {Num(c.RequiredResidual)}{(c.RequiredResidualExact ? "" : " (at least)")}");
        var uncertified = c.Hardest.Where(p => p.Bound == 0).Select(p => (Pair: p, Witness: analysis.Result.Witness(p.A, p.B)))
            .OrderBy(x => x.Witness?.Actions.Length ?? int.MaxValue).ThenBy(x => x.Pair.A).ThenBy(x => x.Pair.B);
        foreach (var (pair, witness) in uncertified.Take(5))
        {
            var why = witness is null ? "" : $"; {witness.Describe(mdp)}";
            sb.AppendLine($"  not certified: {mdp.Shown(pair.A)} vs {mdp.Shown(pair.B)} at distance {Num(pair.Distance)}{why} (see 'jepa-verify explain {mdp.Arguments} {MdpModel.ShellWord(mdp.Observations[pair.A])} {MdpModel.ShellWord(mdp.Observations[pair.B])}')");
        }

        foreach (var pair in c.Pairs)
        {
            sb.AppendLine($"  pair {mdp.Shown(pair.A)} vs {mdp.Shown(pair.B)}: distance {Num(pair.Distance)}, bound {Num(pair.Bound)}");
        }
    }

    /// <summary>The verdict line: certified, apart (not certified, or no certificate) or collapsed, and why; <paramref name="premise"/> is appended.</summary>
    public static string Verdict(Separation separation, string premise)
    {
        var (r, c) = (separation.Collapse, separation.Certificate);
        return separation.Verdict switch
        {
            SeparationVerdict.Collapsed => $"collapsed: {r.Violations} of {r.NonEquivalentPairs} non-equivalent pairs are within {Num(r.Tolerance)} (unhealthy collapse); {premise}",
            SeparationVerdict.Certified => $"certified: all {r.NonEquivalentPairs} non-equivalent pairs have a positive lower bound forced by the residuals{(c is { RolledOutPairs: > 0 } ? $" ({c.RolledOutPairs} by the model's own rollouts)" : "")}, and are more than {Num(r.Tolerance)} apart; {premise}",
            _ when c is not null => $"apart, not certified: {c.CertifiedPairs} of {c.NonEquivalentPairs} non-equivalent pairs certified; all are more than {Num(r.Tolerance)} apart, but the residuals do not force it (every residual below {Num(c.RequiredResidual)} would); {premise}",
            _ => $"apart: all {r.NonEquivalentPairs} non-equivalent pairs are more than {Num(r.Tolerance)} apart (no certificate: {separation.NoCertificate}); {premise}",
        };
    }

    /// <summary>
    /// The verdict and certificate fields: <c>verdict</c>, <c>certified_pairs</c>, <c>rolled_out_pairs</c>, <c>min_certified_distance</c>, <c>lipschitz_transition</c>,
    /// <c>lipschitz_aux</c>, <c>required_residual</c>, <c>required_residual_exact</c>, <c>certificate_sweeps</c>, <c>bound_tightness</c> ({min, median} of
    /// bound/distance over the non-equivalent pairs), <c>certificate_level</c> (null when every pair has its own bound; the
    /// class level's counts otherwise), <c>no_certificate</c>,
    /// <c>hardest_pairs</c> and, with <c>--pairs</c>, <c>pairs</c> (<c>max_residual_*</c> are written by the caller).
    /// </summary>
    public static void CertificateJson(Utf8JsonWriter w, Separation separation, MdpModel mdp)
    {
        w.WriteString("verdict", separation.VerdictKey);
        var c = separation.Certificate;
        JsonText.NumberOrNull(w, "certified_pairs", c?.CertifiedPairs);
        JsonText.NumberOrNull(w, "rolled_out_pairs", c?.RolledOutPairs);
        JsonText.NumberOrNull(w, "representative_pairs", c?.ByRepresentatives);
        JsonText.NumberOrNull(w, "min_certified_distance", c?.MinCertifiedDistance);
        JsonText.NumberOrNull(w, "lipschitz_transition", c?.LipschitzTransition);
        JsonText.NumberOrNull(w, "lipschitz_aux", c?.LipschitzAux);
        JsonText.NumberOrNull(w, "required_residual", c?.RequiredResidual);
        JsonText.BooleanOrNull(w, "required_residual_exact", c?.RequiredResidualExact);
        JsonText.NumberOrNull(w, "certificate_sweeps", c?.Sweeps);
        if (c?.TightnessMedian is { } median)
        {
            w.WriteStartObject("bound_tightness");
            JsonText.NumberOrNull(w, "min", c.TightnessMin);
            w.WriteNumber("median", median);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("bound_tightness");
        }

        if (c?.Level is { } level)
        {
            w.WriteStartObject("certificate_level");
            w.WriteNumber("classes", level.Classes);
            w.WriteNumber("certified_by_class", level.CertifiedByClass);
            w.WriteNumber("refined", level.Refined);
            w.WriteNumber("certified_by_refinement", level.CertifiedByRefinement);
            w.WriteNumber("unrefined", level.Unrefined);
            w.WriteNumber("tightness_sampled", level.TightnessSampled);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("certificate_level");
        }

        JsonText.StringOrNull(w, "no_certificate", separation.NoCertificate);
        JsonText.StringOrNull(w, "certificate_aux_space", separation.AuxSpace);
        WritePairs(w, "hardest_pairs", c?.Hardest ?? [], mdp);
        if (c is { Pairs.Length: > 0 })
        {
            WritePairs(w, "pairs", c.Pairs, mdp);
        }
    }

    private static void WritePairs(Utf8JsonWriter w, string name, IEnumerable<CertifiedPair> pairs, MdpModel mdp)
    {
        w.WriteStartArray(name);
        foreach (var pair in pairs)
        {
            w.WriteStartObject();
            w.WriteString("a", mdp.Observations[pair.A]);
            w.WriteString("b", mdp.Observations[pair.B]);
            JsonText.NumberOrNull(w, "distance", pair.Distance);
            JsonText.NumberOrNull(w, "bound", pair.Bound);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Where the certified pairs' bounds came from, when not only from the per-step clause: " (6 by rollouts, 800 by class representatives)".</summary>
    private static string Sources(CertificateReport c)
    {
        string[] parts = [.. new[] { (c.RolledOutPairs, "by rollouts"), (c.ByRepresentatives, "by class representatives") }.Where(x => x.Item1 > 0).Select(x => $"{x.Item1} {x.Item2}")];
        return parts.Length == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    /// <summary>A number as the reports print it (4 significant digits), or <c>n/a</c>.</summary>
    public static string Num(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
}
