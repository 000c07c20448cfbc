using System.Globalization;
using System.Text;
using Jepa.Verify.Cli.Reports;
using Jepa.Verify.Pipeline.Experiments;
using static Jepa.Verify.Cli.Experiments.CountingReport;

namespace Jepa.Verify.Cli.Experiments;

/// <summary>The reference counting experiment's outputs: a Markdown table over seeds, JSON, and figures.</summary>
internal static class ReferenceReport
{
    /// <summary>The Markdown report: setup, what is scaled down, the table (mean ± standard deviation over seeds), chance and the per-run cost.</summary>
    public static string Markdown(ReferenceCountingResult r, IReadOnlyList<string> figures)
    {
        var s = r.Settings;
        var c = s.Training;
        var image = c.ImageEncoder!;
        var sb = new StringBuilder();
        sb.AppendLine(Invariant($"## Counting experiment, reference protocol ({(s.Quick ? "quick" : "full")}, {s.Seeds.Length} seed{(s.Seeds.Length == 1 ? "" : "s")})"));
        sb.AppendLine();
        sb.AppendLine(Invariant($"- Data: per seed, {s.Episodes} trajectories of {s.EpisodeSteps} uniformly random inc/dec actions, count reset uniformly in 0–8, positions redrawn on every count change: {string.Join(", ", r.Observations)} observations ({string.Join(", ", r.Transitions)} distinct transitions), {s.Size}×{s.Size} RGB, x/255 − 0.5. Reward 1 iff count = {s.Target} (dense: 1 − |count − {s.Target}|/8)."));
        sb.AppendLine(Invariant($"- Model (`--preset paper`): convolutional encoder (7×7 stride-2 stem, 3×3 max-pool, residual stages {string.Join(", ", image.Stages)}, average pool, linear → {c.LatentDim}); transition Linear → {c.HiddenDim} → LayerNorm → Mish → Linear; aux head {c.AuxHiddenLayers} × (Linear {c.HiddenDim}, LayerNorm, Mish) → {c.TwoHot?.Count} two-hot logits; loss {c.DynWeight * c.LatentDim:0.##}·consistency (per element) + {c.AuxWeight:0.##}·soft cross-entropy; Adam {c.LearningRate} (encoder × {c.EncoderLearningRateScale}), gradient clip {c.GradClipNorm}, batch {c.BatchSize}, {c.Steps} steps (separate: twice)."));
        sb.AppendLine(Invariant($"- Evaluation on {s.Probes} held-out probes per seed (a reset plus 3–5 random steps): cluster accuracy = nearest count centroid of the raw latents, centroids from the training observations (held-out) or from the probes themselves (in-sample, the reference's); shape/colour/position: linear probes trained on the training observations; decoder probe: an MLP latent → {Learning.Collapse.DecoderProbe.Hidden} → pixels trained {s.DecoderSteps} steps on detached training latents, per-pixel MSE on the probes against the training mean image. Count groups and the verdict: single linkage at {s.Collapse.Tolerance} × the RMS latent norm over the training observations, against the data's finite-data relation; the verdict applies to the modes that train consistency and their aux (joint, dense, random-aux)."));
        sb.AppendLine();
        sb.Append(Table(r));
        sb.AppendLine();
        var first = r.Outcomes.Where(o => o.Seed == s.Seeds[0]).ToList();
        sb.AppendLine(Invariant($"Chance (always the training observations' most frequent class, scored on the probes): count {Chance(first, o => o.ClusterAccuracy)}, shape {Chance(first, o => o.Shape)}, colour {Chance(first, o => o.Colour)}, position {Chance(first, o => o.Position)}. Shape, colour and position skip count 0 (a black image)."));
        sb.AppendLine();
        sb.AppendLine(Invariant($"Cost per run (2 cores unless the machine says otherwise): ") + string.Join(", ", s.Modes.Select(m => Invariant($"{ReferenceModes.Name(m)} {r.Outcomes.Where(o => o.Mode == m).Average(o => o.Seconds):0} s")))
            + Invariant($"; training alone {r.Outcomes.Average(o => o.Run.Result.StepSeconds / Math.Max(1, o.Run.Result.Steps)) * 1000:0} ms per step. Whole experiment {r.Seconds:0} s."));
        if (figures.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(Invariant($"Figures (seed {s.Seeds[0]}; plots also as SVG): ") + PngLinks(figures) + ".");
        }

        return sb.ToString();
    }

    /// <summary>The results table alone: one row per mode, mean ± standard deviation over seeds.</summary>
    public static string Table(ReferenceCountingResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| mode | L_dyn | L_p | cluster accuracy (held-out) | cluster accuracy (in-sample) | count groups | decoder MSE | mean-image MSE | shape probe | colour probe | position probe | theorem |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var mode in r.Settings.Modes)
        {
            var runs = r.Outcomes.Where(o => o.Mode == mode).ToList();
            sb.Append("| ").Append(ReferenceModes.Name(mode)).Append(" |");
            sb.Append(Stat(runs, o => o.Run.Result.LossDyn, "0.0e+0")).Append(Stat(runs, o => o.Run.Result.LossAux, "0.0e+0"));
            sb.Append(Stat(runs, o => o.ClusterAccuracy?.Accuracy, "0.00")).Append(Stat(runs, o => o.ClusterAccuracyInSample?.Accuracy, "0.00"));
            sb.Append(Stat(runs, o => o.CountGroups, "0.#"));
            sb.Append(Stat(runs, o => o.DecoderMse, "0.0000")).Append(Stat(runs, o => o.DecoderBaselineMse, "0.0000"));
            sb.Append(Stat(runs, o => o.Shape?.Accuracy, "0.00")).Append(Stat(runs, o => o.Colour?.Accuracy, "0.00")).Append(Stat(runs, o => o.Position?.Accuracy, "0.00"));
            sb.Append(Verdicts(runs, o => o.Verdict));
            sb.AppendLine();
        }

        return sb.ToString();
    }

    /// <summary>The whole result as one JSON object; the same settings give byte-identical JSON except the <c>seconds</c> fields.</summary>
    public static string Json(ReferenceCountingResult r) => JsonText.Write(w =>
    {
        var s = r.Settings;
        w.WriteStartObject();
        w.WriteString("experiment", "counting");
        w.WriteString("protocol", "reference");
        w.WriteBoolean("quick", s.Quick);
        w.WriteStartObject("data");
        w.WriteNumber("size", s.Size);
        w.WriteNumber("episodes", s.Episodes);
        w.WriteNumber("episode_steps", s.EpisodeSteps);
        w.WriteNumber("probes", s.Probes);
        w.WriteNumber("target", s.Target);
        w.WriteEndObject();
        w.WriteStartObject("training");
        w.WriteString("preset", "paper");
        w.WriteNumber("steps", s.Training.Steps);
        w.WriteNumber("batch_size", s.Training.BatchSize);
        w.WriteNumber("latent_dim", s.Training.LatentDim);
        w.WriteNumber("hidden_dim", s.Training.HiddenDim);
        w.WriteString("stages", string.Join(",", s.Training.ImageEncoder!.Stages));
        w.WriteNumber("decoder_steps", s.DecoderSteps);
        w.WriteNumber("tolerance", s.Collapse.Tolerance);
        w.WriteEndObject();
        w.WriteStartArray("runs");
        foreach (var o in r.Outcomes)
        {
            w.WriteStartObject();
            w.WriteString("reference_mode", ReferenceModes.Name(o.Mode));
            TrainingRunJson.WriteFields(w, o.Run, history: false);
            w.WriteNumber("observations", r.Observations[s.Seeds.IndexOf(o.Seed)]);
            JsonText.NumberOrNull(w, "cluster_accuracy", o.ClusterAccuracy?.Accuracy);
            JsonText.NumberOrNull(w, "cluster_accuracy_in_sample", o.ClusterAccuracyInSample?.Accuracy);
            w.WriteNumber("count_groups", o.CountGroups);
            w.WriteNumber("decoder_mse", o.DecoderMse);
            w.WriteNumber("decoder_baseline_mse", o.DecoderBaselineMse);
            w.WriteString("theorem", o.Verdict);
            WriteProbes(w, [("shape", o.Shape), ("colour", o.Colour), ("position", o.Position)]);
            w.WriteNumber("seconds", Math.Round(o.Seconds, 1));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("seconds", Math.Round(r.Seconds, 1));
        w.WriteEndObject();
    });

    /// <summary>
    /// Writes, for the first seed of every mode: t-SNE and PCA of the probe latents coloured by count, the probes' distance
    /// heatmap sorted by count, the loss curves, and the decoder's reconstructions under the probe images.
    /// </summary>
    public static IReadOnlyList<string> WriteFigures(ReferenceCountingResult r, string directory)
    {
        var names = new List<string>();
        foreach (var o in r.Outcomes.Where(o => o.Seed == r.Settings.Seeds[0]))
        {
            var mode = ReferenceModes.Name(o.Mode);
            var counts = o.ProbeCounts;
            int[] byCount = [.. Enumerable.Range(0, counts.Length).OrderBy(i => counts[i]).ThenBy(i => i)];
            var dim = o.Run.Result.LatentDim;
            names.AddRange(Figures.Save(Figures.Scatter($"{mode}: probe latents (t-SNE, perplexity 30), coloured by count", o.Tsne, counts, k => Invariant($"count {k}"), ("t-SNE 1", "t-SNE 2")), directory, $"tsne-{mode}"));
            names.AddRange(Figures.Save(Figures.Scatter($"{mode}: probe latents (PCA), coloured by count", o.Pca, counts, k => Invariant($"count {k}"), ("principal axis 1", "principal axis 2")), directory, $"pca-{mode}"));
            names.AddRange(Figures.Save(Figures.Heatmap($"{mode}: probe latent distances, sorted by count", o.ProbeLatents, dim, byCount, counts, "count", Learning.Collapse.CollapseAnalysis.RmsNorm(o.ProbeLatents, dim)), directory, $"distances-{mode}"));
            names.AddRange(Figures.Save(Figures.LossCurves($"{mode}: training losses", o.Run.Result.History, o.Run.Result.Config.LossTarget), directory, $"losses-{mode}"));
            names.Add(Figures.SaveImageGrid([r.ProbeImages, o.Reconstructions], r.Settings.Size, directory, $"reconstructions-{mode}"));
        }

        return names;
    }
}
