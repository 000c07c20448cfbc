using System.Globalization;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Cli.Reports;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline.Experiments;

namespace Jepa.Verify.Cli.Experiments;

/// <summary>The counting experiment's outputs: a Markdown table over seeds, JSON, and figures (PNG and SVG).</summary>
internal static class CountingReport
{
    /// <summary>The Markdown report: setup, the table (mean ± standard deviation over seeds) and the chance levels.</summary>
    public static string Markdown(CountingResult r, IReadOnlyList<string> figures)
    {
        var s = r.Settings;
        var c = s.Training;
        var sb = new StringBuilder();
        sb.AppendLine(Invariant($"## Counting experiment ({(s.Quick ? "quick" : "full")}, {s.Seeds.Length} seed{(s.Seeds.Length == 1 ? "" : "s")})"));
        sb.AppendLine();
        sb.AppendLine(Invariant($"- Environment: exact MDP, {r.Mdp.ObservationCount} observations ({s.Environment.Families} families × 9 counts × {s.Environment.Layouts} layouts, {s.Environment.Size}×{s.Environment.Size} RGB), reward 1 iff count = {s.Environment.Target}."));
        sb.AppendLine(Invariant($"- Bisimulation classes: {r.Classes}. Z3 on the finite abstraction: collapse_possible = {Bool(r.Proof.CollapsePossible)}, min_latents = {r.Proof.MinLatents?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} ({r.Proof.Verdict.ToString().ToLowerInvariant()})."));
        sb.AppendLine(Invariant($"- Training: {Encoder(r)}; {c.Steps} steps{(c.CosineSchedule ? "" : Invariant($" (joint goes on while it certifies more pairs, up to {c.EffectiveStepCap}, and keeps its best model)"))}, Adam lr {c.LearningRate}{(c.CosineSchedule ? " with a cosine schedule" : "")}{(c.GradClipNorm > 0 ? Invariant($", gradient norm clipped at {c.GradClipNorm}") : "")}, Lipschitz penalty {c.LipschitzPenalty}, joint horizon {c.Horizon}, latent {c.LatentDim}, hidden {c.HiddenDim}, batch {c.BatchSize}, loss target {c.LossTarget}; seeds {string.Join(", ", s.Seeds)}."));
        sb.AppendLine(Invariant($"- Clusters: single linkage at {s.Collapse.Tolerance} × the RMS latent norm. Count groups: counts left after merging counts that share a cluster. Count accuracy: nearest class centroid; probes: linear (softmax regression on standardised latents); both trained on {100 - (CountingExperiment.TestFraction * 100):0} % of the observations and scored on the other {CountingExperiment.TestFraction * 100:0} %.{(s.DecoderSteps > 0 ? Invariant($" Decoder: an MLP latent → {DecoderProbe.Hidden} → pixels, {s.DecoderSteps} Adam steps on the same split, per-pixel MSE on the held-out images (the mean image's beside it).") : "")}"));
        sb.AppendLine();
        sb.Append(Table(r));
        sb.AppendLine();
        var all = r.Outcomes.Where(o => o.Seed == s.Seeds[0]).ToList();
        sb.AppendLine(Invariant($"Chance (always the training split's most frequent class, scored on the test split): count {Chance(all, o => o.CountAccuracy)}, shape {Chance(all, o => o.Shape)}, colour {Chance(all, o => o.Colour)}, position {Chance(all, o => o.Position)}. Shape, colour and position skip count 0 (a black image)."));
        sb.AppendLine("Values are mean ± standard deviation over seeds; the theorem column counts runs per verdict (`certified`: every non-equivalent pair has a positive lower bound forced by the residuals; `apart, not certified`: every pair is more than the tolerance apart but the residuals do not force it; `collapsed`: a pair within the tolerance; docs/certificate.md); certified pairs is the share of non-equivalent pairs the certificate covers.");
        sb.AppendLine();
        sb.AppendLine("The paper's claims, each judged by a test fixed before the runs, on every seed:");
        sb.AppendLine();
        sb.Append(ClaimsTable(CountingClaims.Of(r)));
        if (figures.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(Invariant($"Figures (seed {s.Seeds[0]}; each also as SVG): ") + PngLinks(figures) + ".");
        }

        sb.AppendLine();
        sb.AppendLine(Invariant($"Run time {r.Seconds:0} s."));
        return sb.ToString();
    }

    /// <summary>The results table alone: one row per mode (and the MLP comparison), mean ± standard deviation over seeds.</summary>
    public static string Table(CountingResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| mode | L_dyn | L_p | clusters | count groups | purity vs count | count accuracy | min distance | theorem | certified pairs | decoder MSE | shape probe | colour probe | position probe |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in r.Settings.Rows)
        {
            var runs = r.Outcomes.Where(o => o.Row == row).ToList();
            sb.Append('|').Append(' ').Append(row).Append(" |");
            sb.Append(Stat(runs, o => o.Run.Result.LossDyn, "0.0e+0")).Append(Stat(runs, o => o.Run.Result.LossAux, "0.0e+0"));
            sb.Append(Stat(runs, o => o.Run.Report.Clusters, "0.#")).Append(Stat(runs, o => o.CountGroups, "0.#"));
            sb.Append(Stat(runs, o => o.Run.Report.LabelPurity.GetValueOrDefault("count", double.NaN), "0.00"));
            sb.Append(Stat(runs, o => o.CountAccuracy?.Accuracy, "0.00"));
            sb.Append(Stat(runs, o => o.Run.Report.MinNonEquivalentDistance, "0.0e+0"));
            sb.Append(Verdicts(runs, o => o.Verdict));
            sb.Append(Stat(runs, o => o.CertifiedShare, "0.000"));
            sb.Append(Stat(runs, o => o.Decoder?.Mse, "0.00000"));
            sb.Append(Stat(runs, o => o.Shape?.Accuracy, "0.00")).Append(Stat(runs, o => o.Colour?.Accuracy, "0.00")).Append(Stat(runs, o => o.Position?.Accuracy, "0.00"));
            sb.AppendLine();
        }

        return sb.ToString();
    }

    /// <summary>The claims table: claim, test, holds or not, the numbers.</summary>
    public static string ClaimsTable(IReadOnlyList<CountingClaim> claims)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| the paper's claim | test | here | measured |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var c in claims)
        {
            sb.AppendLine($"| {c.Claim} | {c.Test} | **{c.HoldsText}** | {c.Measured} |");
        }

        return sb.ToString();
    }

    /// <summary>The encoder of the table's mode rows, in words.</summary>
    private static string Encoder(CountingResult r) => r.Outcomes.FirstOrDefault(o => o.Row != CountingSettings.MlpRow)?.Run.Result.Config.ImageEncoder is { } image
        ? Invariant($"the convolutional encoder on {image.Channels}×{image.Height}×{image.Width} images{(r.Settings.RunsMlpComparison ? " (the `joint (MLP)` row: the MLP encoder, the same config)" : "")}")
        : "the MLP encoder";

    /// <summary>The whole result as one JSON object; the same settings give byte-identical JSON (no timings).</summary>
    public static string Json(CountingResult r) => JsonText.Write(w =>
    {
        var s = r.Settings;
        w.WriteStartObject();
        w.WriteString("experiment", "counting");
        w.WriteBoolean("quick", s.Quick);
        w.WriteStartObject("environment");
        w.WriteNumber("families", s.Environment.Families);
        w.WriteNumber("layouts", s.Environment.Layouts);
        w.WriteNumber("size", s.Environment.Size);
        w.WriteNumber("target", s.Environment.Target);
        w.WriteNumber("observations", r.Mdp.ObservationCount);
        w.WriteEndObject();
        w.WriteNumber("classes", r.Classes);
        w.WriteStartObject("proof");
        JsonText.BooleanOrNull(w, "collapse_possible", r.Proof.CollapsePossible);
        JsonText.NumberOrNull(w, "min_latents", r.Proof.MinLatents);
        w.WriteString("verdict", r.Proof.Verdict.ToString().ToLowerInvariant());
        w.WriteEndObject();
        w.WriteStartObject("training");
        w.WriteNumber("steps", s.Training.Steps);
        w.WriteNumber("learning_rate", s.Training.LearningRate);
        w.WriteBoolean("cosine", s.Training.CosineSchedule);
        w.WriteNumber("grad_clip", s.Training.GradClipNorm);
        w.WriteNumber("latent_dim", s.Training.LatentDim);
        w.WriteNumber("hidden_dim", s.Training.HiddenDim);
        w.WriteNumber("batch_size", s.Training.BatchSize);
        w.WriteNumber("loss_target", s.Training.LossTarget);
        w.WriteNumber("lipschitz_penalty", s.Training.LipschitzPenalty);
        w.WriteNumber("horizon", s.Training.Horizon);
        w.WriteBoolean("mlp_comparison", s.RunsMlpComparison);
        w.WriteNumber("decoder_steps", s.DecoderSteps);
        w.WriteNumber("tolerance", s.Collapse.Tolerance);
        w.WriteStartArray("seeds");
        foreach (var seed in s.Seeds)
        {
            w.WriteNumberValue(seed);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("runs");
        foreach (var o in r.Outcomes)
        {
            var report = o.Run.Report;
            w.WriteStartObject();
            w.WriteString("row", o.Row);
            TrainingRunJson.WriteFields(w, o.Run, history: false);
            w.WriteNumber("count_groups", o.CountGroups);
            w.WriteNumber("identical_image_pairs", o.IdenticalImagePairs);
            JsonText.NumberOrNull(w, "certified_share", o.CertifiedShare);
            if (o.Decoder is { } decoder)
            {
                w.WriteStartObject("decoder");
                w.WriteNumber("mse", decoder.Mse);
                w.WriteNumber("mean_image_mse", decoder.MeanImageMse);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("decoder");
            }

            JsonText.NumberOrNull(w, "purity_vs_count", report.LabelPurity.TryGetValue("count", out var p) ? p : null);
            w.WriteString("verdict", o.Verdict);
            WriteProbes(w, [("count_nearest_centroid", o.CountAccuracy), ("shape", o.Shape), ("colour", o.Colour), ("position", o.Position)]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("claims");
        foreach (var c in CountingClaims.Of(r))
        {
            w.WriteStartObject();
            w.WriteString("claim", c.Claim);
            w.WriteString("test", c.Test);
            JsonText.BooleanOrNull(w, "holds", c.Holds);
            w.WriteString("measured", c.Measured);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>Writes <c>"probes": {name: {accuracy, chance, classes, train, test} or null, …}</c>.</summary>
    internal static void WriteProbes(Utf8JsonWriter w, IEnumerable<(string Name, ProbeResult? Probe)> probes)
    {
        w.WriteStartObject("probes");
        foreach (var (name, probe) in probes)
        {
            if (probe is null)
            {
                w.WriteNull(name);
                continue;
            }

            w.WriteStartObject(name);
            w.WriteNumber("accuracy", probe.Accuracy);
            w.WriteNumber("chance", probe.Chance);
            w.WriteNumber("classes", probe.Classes);
            w.WriteNumber("train", probe.TrainCount);
            w.WriteNumber("test", probe.TestCount);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Writes, for the first seed of every mode, the PCA scatter, the distance heatmap and the loss curves (PNG and SVG) into <paramref name="directory"/>; returns the file names.</summary>
    public static IReadOnlyList<string> WriteFigures(CountingResult r, string directory)
    {
        var names = new List<string>();
        int[] byCount = [.. Enumerable.Range(0, r.Count.Length).OrderBy(o => r.Count[o]).ThenBy(o => o)];
        foreach (var o in r.Outcomes.Where(o => o.Seed == r.Settings.Seeds[0]))
        {
            var mode = o.Row == CountingSettings.MlpRow ? "joint-mlp" : o.Row;
            var result = o.Run.Result;
            names.AddRange(Figures.Save(Figures.Scatter($"{mode}: latents (PCA), coloured by count", o.Pca, r.Count, k => Invariant($"count {k}"), ("principal axis 1", "principal axis 2")), directory, $"pca-{mode}"));
            names.AddRange(Figures.Save(Figures.Heatmap($"{mode}: latent distances, sorted by count", result.Latents, result.LatentDim, byCount, r.Count, "count", o.Run.Report.Scale), directory, $"distances-{mode}"));
            names.AddRange(Figures.Save(Figures.LossCurves($"{mode}: training losses", result.History, result.Config.LossTarget), directory, $"losses-{mode}"));
        }

        return names;
    }

    /// <summary>A table cell: the mean ± sample standard deviation of the finite values over runs (<see cref="CountingClaims.Stat"/>).</summary>
    internal static string Stat<T>(IReadOnlyList<T> runs, Func<T, double?> value, string format) => " " + CountingClaims.Stat(runs, value, format) + " |";

    /// <summary>A table cell: each verdict with how many of the runs reached it (<see cref="CountingClaims.Verdicts"/>).</summary>
    internal static string Verdicts<T>(IReadOnlyList<T> runs, Func<T, string> verdict) => " " + CountingClaims.Verdicts(runs, verdict) + " |";

    /// <summary>The PNG figures as Markdown links, comma-separated.</summary>
    internal static string PngLinks(IReadOnlyList<string> figures) =>
        string.Join(", ", figures.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => $"[{f}]({f})"));

    /// <summary>The chance level of the first run that has the probe.</summary>
    internal static string Chance<T>(IReadOnlyList<T> runs, Func<T, ProbeResult?> probe) =>
        runs.Select(probe).FirstOrDefault(p => p is not null) is { } p ? p.Chance.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Bool(bool? value) => value is { } b ? (b ? "true" : "false") : "unknown";

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
