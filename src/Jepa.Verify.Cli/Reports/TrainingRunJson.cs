using System.Text.Json;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Reports;

/// <summary>A training run as JSON fields: the one shape <c>train --json</c>, <c>check --json</c> (its <c>runs</c>) and <c>experiment --json</c> (its <c>runs</c>) write.</summary>
internal static class TrainingRunJson
{
    /// <summary>
    /// <c>mode</c>, <c>seed</c>, <c>aux_loss</c>, <c>encoder</c> (mlp or conv), <c>horizon</c> (1: one-step losses), <c>steps</c> (that produced the model), <c>steps_trained</c>, <c>status</c>, <c>message</c>, <c>loss_dyn</c>, <c>loss_aux</c>, <c>loss_target</c>,
    /// <c>losses_below_target</c>, <c>observations</c>, <c>latent_dim</c>, the collapse analysis (<see cref="CollapseOutput.Json"/>; null
    /// fields when training diverged), and the loss <c>history</c> when <paramref name="history"/> is set.
    /// </summary>
    public static void WriteFields(Utf8JsonWriter w, TrainingRun run, bool history)
    {
        var (result, report, mdp) = (run.Result, run.Report, run.Analysis.Mdp);
        w.WriteString("mode", TrainingModes.Name(result.Config.Mode));
        w.WriteNumber("seed", result.Config.Seed);
        w.WriteString("aux_loss", result.Model.Shape.TwoHot is null ? "mse" : "two-hot");
        w.WriteString("encoder", result.Config.ImageEncoder is null ? "mlp" : "conv");
        w.WriteNumber("horizon", result.Config.EffectiveHorizon);
        w.WriteNumber("steps", result.Steps);
        w.WriteNumber("steps_trained", result.StepsTrained);
        w.WriteString("status", StatusName(result));
        JsonText.StringOrNull(w, "message", result.Message);
        JsonText.NumberOrNull(w, "loss_dyn", result.LossDyn);
        JsonText.NumberOrNull(w, "loss_aux", result.LossAux);
        w.WriteNumber("loss_target", result.Config.LossTarget);
        w.WriteBoolean("losses_below_target", result.BothLossesBelowTarget);
        w.WriteNumber("observations", report.Observations);
        w.WriteNumber("latent_dim", report.LatentDim);
        if (run.Collapse is null)
        {
            // Training diverged: no trained latents to analyse, so every analysis field is null.
            foreach (var name in new[] { "clusters", "classes", "nonequivalent_pairs", "min_nonequivalent_distance", "violations" })
            {
                w.WriteNull(name);
            }

            w.WriteBoolean("theorem_holds", false);
            w.WriteString("verdict", "diverged");
        }
        else
        {
            CollapseOutput.Json(w, report, mdp, run.TheoremHolds);
            JsonText.NumberOrNull(w, "max_residual_dyn", run.Separation.Certificate?.MaxResidualDyn);
            JsonText.NumberOrNull(w, "max_residual_aux", run.Separation.Certificate?.MaxResidualAux);
            CollapseOutput.CertificateJson(w, run.Separation, mdp);
        }

        if (history)
        {
            w.WriteStartArray("history");
            foreach (var point in result.History)
            {
                w.WriteStartObject();
                w.WriteNumber("step", point.Step);
                JsonText.NumberOrNull(w, "loss_dyn", point.LossDyn);
                JsonText.NumberOrNull(w, "loss_aux", point.LossAux);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    /// <summary>
    /// How the run ended: <c>converged</c> (both losses below the target), <c>certified</c> (stopped once certified, the
    /// losses still above the target), <c>diverged</c> or <c>budget-exhausted</c>.
    /// </summary>
    public static string StatusName(TrainingResult result) => result.Status switch
    {
        TrainingStatus.Converged when !result.BothLossesBelowTarget => "certified",
        TrainingStatus.Converged => "converged",
        TrainingStatus.Diverged => "diverged",
        _ => "budget-exhausted",
    };
}
