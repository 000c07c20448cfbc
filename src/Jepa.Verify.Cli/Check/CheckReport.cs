using System.Globalization;
using System.Text;
using System.Xml;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Pipeline.Check;

namespace Jepa.Verify.Cli.Check;

/// <summary>
/// The reports of a <c>check</c> run: console text, JSON (byte-identical for the same config and
/// seeds: it holds no times), Markdown and JUnit XML (one test case per check and seed).
/// </summary>
internal static class CheckReport
{
    /// <summary>One line per case and a closing summary.</summary>
    public static string Text(CheckResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"check {result.Config.Name}: {result.Config.Environment}, {Facts(result)}");
        foreach (var c in result.Cases)
        {
            sb.AppendLine($"[{c.StatusText}] {c.FullName}: {c.Message}");
            if (c.Status is CheckStatus.Fail or CheckStatus.Inconclusive && c.Details.Length > 0)
            {
                foreach (var line in c.Details.Split('\n').Take(5))
                {
                    sb.AppendLine($"    {line}");
                }
            }
        }

        sb.AppendLine($"{Summary(result)}; verdict: {result.VerdictText}");
        return sb.ToString();
    }

    /// <summary>Deterministic JSON: no times, so the same config and seeds give the same bytes.</summary>
    public static string Json(CheckResult result) => JsonText.Write(w =>
    {
        var (config, mdp) = (result.Config, result.Mdp);
        w.WriteStartObject();
        w.WriteString("name", config.Name);
        w.WriteString("environment", config.Environment);
        w.WriteNumber("observations", mdp.ObservationCount);
        w.WriteNumber("actions", mdp.ActionCount);
        w.WriteNumber("transitions", mdp.Transitions.Length);
        w.WriteString("verdict", result.VerdictText);
        w.WriteNumber("exit_code", result.ExitCode);
        w.WriteStartObject("summary");
        foreach (var status in Enum.GetValues<CheckStatus>())
        {
            w.WriteNumber(status.ToString().ToLowerInvariant(), result.Count(status));
        }

        w.WriteEndObject();
        w.WriteStartObject("conditions");
        foreach (var r in result.Conditions.Results)
        {
            w.WriteBoolean(r.Name, r.Holds);
        }

        w.WriteEndObject();
        JsonText.NumberOrNull(w, "classes", result.Analysis?.Result.Partition?.Count);
        JsonText.NumberOrNull(w, "distinguishable_pairs", result.Analysis?.Result.Relation?.DistinguishedCount);
        if (result.Proof is { } proof)
        {
            w.WriteStartObject("proof");
            w.WriteString("status", proof.Verdict.ToString().ToLowerInvariant());
            JsonText.BooleanOrNull(w, "collapse_possible", proof.CollapsePossible);
            JsonText.NumberOrNull(w, "min_latents", proof.MinLatents);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("proof");
        }

        w.WriteStartArray("runs");
        foreach (var run in result.Runs)
        {
            w.WriteStartObject();
            Reports.TrainingRunJson.WriteFields(w, run, history: false);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (result.Assessment is { } a)
        {
            w.WriteStartObject("assessment");
            w.WriteString("latents_source", a.Latents.Source);
            JsonText.NumberOrNull(w, "loss_dyn", a.LossDyn);
            JsonText.NumberOrNull(w, "loss_aux", a.LossAux);
            JsonText.NumberOrNull(w, "max_residual_dyn", a.MaxResidualDyn);
            JsonText.NumberOrNull(w, "max_residual_aux", a.MaxResidualAux);
            JsonText.BooleanOrNull(w, "losses_below_target", a.LossesBelowTarget);
            w.WriteNumber("clusters", a.Report.Clusters);
            w.WriteNumber("violations", a.Report.Violations);
            JsonText.NumberOrNull(w, "min_nonequivalent_distance", a.Report.MinNonEquivalentDistance);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("assessment");
        }

        w.WriteStartArray("checks");
        foreach (var c in result.Cases)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            JsonText.NumberOrNull(w, "seed", c.Seed);
            w.WriteString("status", c.StatusText);
            w.WriteString("message", c.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>A Markdown summary for a CI job page or a pull request comment.</summary>
    public static string Markdown(CheckResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## jepa-verify check: {result.Config.Name} — {result.VerdictText}");
        sb.AppendLine();
        sb.AppendLine($"{Escape(result.Config.Environment)}: {Facts(result)}. {Summary(result)}.");
        sb.AppendLine();
        sb.AppendLine("| check | status | result |");
        sb.AppendLine("|---|---|---|");
        foreach (var c in result.Cases)
        {
            var mark = c.Status switch
            {
                CheckStatus.Pass => "✅ pass",
                CheckStatus.Fail => "❌ fail",
                CheckStatus.Inconclusive => "⚠️ inconclusive",
                _ => "⏭️ skipped",
            };
            sb.AppendLine($"| `{c.FullName}` | {mark} | {Escape(c.Message)} |");
        }

        if (result.Runs.Length > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| seed | steps | L_dyn | L_p | clusters | violations | min distance |");
            sb.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var run in result.Runs)
            {
                var (r, report) = (run.Result, run.Collapse);
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Config.Seed} | {r.Steps} | {G(r.LossDyn)} | {G(r.LossAux)} | {report?.Clusters.ToString(CultureInfo.InvariantCulture) ?? "—"} | {report?.Violations.ToString(CultureInfo.InvariantCulture) ?? "—"} | {(report is null ? "—" : G(report.MinNonEquivalentDistance))} |");
            }
        }

        if (result.Assessment is { } a)
        {
            sb.AppendLine();
            sb.AppendLine("| model | L_dyn | L_p | clusters | violations | min distance |");
            sb.AppendLine("|---|---|---|---|---|---|");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {Escape(a.Latents.Source)} | {(a.LossDyn is { } d ? G(d) : "—")} | {(a.LossAux is { } x ? G(x) : "—")} | {a.Report.Clusters} | {a.Report.Violations} | {G(a.Report.MinNonEquivalentDistance)} |");
        }

        return sb.ToString();
    }

    /// <summary>JUnit XML: a suite per config, a test case per check and seed; failures and inconclusive answers carry their text.</summary>
    public static string JUnit(CheckResult result)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var stream = new MemoryStream();
        using (var x = XmlWriter.Create(stream, settings))
        {
            var cases = result.Cases;
            var time = Seconds(cases.Sum(c => c.Seconds));
            x.WriteStartDocument();
            x.WriteStartElement("testsuites");
            x.WriteAttributeString("name", "jepa-verify check");
            Counts(x, result, time);
            x.WriteStartElement("testsuite");
            x.WriteAttributeString("name", XmlText(result.Config.Name));
            Counts(x, result, time);
            x.WriteStartElement("properties");
            Property(x, "environment", result.Config.Environment);
            Property(x, "config", result.Config.Path);
            x.WriteEndElement();
            foreach (var c in cases)
            {
                x.WriteStartElement("testcase");
                x.WriteAttributeString("classname", XmlText($"jepa-verify.{result.Config.Name}"));
                x.WriteAttributeString("name", XmlText(c.FullName));
                x.WriteAttributeString("time", Seconds(c.Seconds));
                var element = c.Status switch
                {
                    CheckStatus.Fail => "failure",
                    CheckStatus.Inconclusive => "error",
                    CheckStatus.Skipped => "skipped",
                    _ => null,
                };
                if (element is not null)
                {
                    x.WriteStartElement(element);
                    x.WriteAttributeString("message", XmlText(c.Message));
                    if (c.Status != CheckStatus.Skipped)
                    {
                        x.WriteAttributeString("type", c.StatusText);
                        x.WriteString(XmlText(c.Details.Length > 0 ? $"{c.Message}\n{c.Details}" : c.Message));
                    }

                    x.WriteEndElement();
                }

                x.WriteEndElement();
            }

            x.WriteEndElement();
            x.WriteEndElement();
            x.WriteEndDocument();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Counts(XmlWriter x, CheckResult result, string time)
    {
        x.WriteAttributeString("tests", Int(result.Cases.Length));
        x.WriteAttributeString("failures", Int(result.Count(CheckStatus.Fail)));
        x.WriteAttributeString("errors", Int(result.Count(CheckStatus.Inconclusive)));
        x.WriteAttributeString("skipped", Int(result.Count(CheckStatus.Skipped)));
        x.WriteAttributeString("time", time);
    }

    private static void Property(XmlWriter x, string name, string value)
    {
        x.WriteStartElement("property");
        x.WriteAttributeString("name", name);
        x.WriteAttributeString("value", XmlText(value));
        x.WriteEndElement();
    }

    /// <summary>
    /// Text XML 1.0 can hold: each character it cannot (a control character from an id or a check's name, a lone
    /// surrogate) is written as <c>\uXXXX</c>, as the text report shows it, so a name like <c>"a\u0001b"</c> never stops the report.
    /// </summary>
    internal static string XmlText(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return sb.ToString();
    }

    private static string Facts(CheckResult result)
    {
        var mdp = result.Mdp;
        return $"{mdp.ObservationCount} observations, {mdp.ActionCount} actions, {mdp.Transitions.Length} transitions";
    }

    private static string Summary(CheckResult result) =>
        $"{result.Count(CheckStatus.Pass)} passed, {result.Count(CheckStatus.Fail)} failed, {result.Count(CheckStatus.Inconclusive)} inconclusive, {result.Count(CheckStatus.Skipped)} skipped";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string G(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : "—";

    private static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="baseline"/> as deterministic JSON (read back by <see cref="CheckBaseline.Read"/>).</summary>
    public static string Baseline(CheckBaseline baseline) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("format", CheckBaseline.Format);
        w.WriteNumber("version", CheckBaseline.Version);
        w.WriteString("name", baseline.Name);
        JsonText.NumberOrNull(w, "classes", baseline.Classes);
        JsonText.NumberOrNull(w, "min_latents", baseline.MinLatents);
        w.WriteStartArray("runs");
        foreach (var r in baseline.Runs)
        {
            w.WriteStartObject();
            w.WriteNumber("seed", r.Seed);
            w.WriteBoolean("losses_below_target", r.LossesBelowTarget);
            JsonText.NumberOrNull(w, "loss_dyn", r.LossDyn);
            JsonText.NumberOrNull(w, "loss_aux", r.LossAux);
            JsonText.NumberOrNull(w, "clusters", r.Clusters);
            JsonText.NumberOrNull(w, "violations", r.Violations);
            JsonText.NumberOrNull(w, "certified_pairs", r.CertifiedPairs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
