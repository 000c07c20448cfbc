using System.CommandLine;
using System.Text;
using Jepa.Verify.Cli.Reports;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Pipeline.Latents;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify assess FILE (--latents Z | --encoder E.onnx [--transition T.onnx] [--aux-head P.onnx])</c>: the collapse
/// verdict for a model trained elsewhere.
/// </summary>
internal static class AssessCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var latents = new Option<string?>("--latents") { Description = "The latents, one row per observation: a .npy float32/float64 matrix in the MDP's observation order, or a CSV id,z0,z1,… matched by id", HelpName = "Z.npy|Z.csv" }.NonEmpty();
        var encoder = new Option<string?>("--encoder") { Description = "An ONNX encoder, run by ONNX Runtime over the observations' features: input float32 [n, features] or [n, C, H, W] (any shape; each observation's features are read row-major into it), output [n, d]", HelpName = "E.onnx" }.NonEmpty();
        var features = new Option<string?>("--features") { Description = "The encoder's inputs, a .npy array [observations, features] or [observations, C, H, W] in observation order (default: the MDP's features, or one-hot ids when it has none); a warning says where it differs from the MDP's features", HelpName = "F.npy" }.NonEmpty();
        var transition = new Option<string?>("--transition") { Description = "The ONNX transition model T̂(z, a), with --encoder or --latents: inputs the latent [n, d] and the action (one-hot float32 [n, actions] or int64 index [n] or [n, 1]), output [n, d]", HelpName = "T.onnx" }.NonEmpty();
        var auxHead = new Option<string?>("--aux-head") { Description = "The ONNX aux head P̂(z): input [n, d], output [n, aux]", HelpName = "P.onnx" }.NonEmpty();
        var defaults = new PJepaConfig();
        var lossTarget = new Option<double>("--loss-target") { Description = "Near-zero: the premise holds when L_dyn and L_p (measured with --transition and --aux-head) are both below this", DefaultValueFactory = _ => defaults.LossTarget, HelpName = "ε" };
        var tolerance = new Option<double>("--tolerance") { Description = "Latents closer than this × the RMS latent norm count as collapsed", DefaultValueFactory = _ => CollapseOptions.Default.Tolerance, HelpName = "t" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var require = new Option<string?>("--require") { Description = "What passes (exit 0): certified (every non-equivalent pair has a certified bound; the default with --transition and --aux-head) or apart (no pair within the tolerance; the default for latents or an encoder alone). Latents alone are never certified", HelpName = "certified|apart" };
        require.AcceptOnlyFromAmong("certified", "apart");
        var fraction = new Option<double?>("--min-certified-fraction") { Description = "At least this fraction (0–1) of the non-equivalent pairs must be certified, under either --require", HelpName = "f" };
        var auxBins = new Option<int?>("--aux-bins") { Description = "The aux head outputs logits over this many two-hot bins of symlog(aux), as TD-MPC2's reward head (the paper's reference code): decoded as the expected bin and certified in symlog space", HelpName = "N" };
        var auxRange = new Option<string>("--aux-range") { Description = "With --aux-bins: the bins' range in symlog units", DefaultValueFactory = _ => "-10,10", HelpName = "MIN,MAX" };
        var command = new Command("assess", "Check a model trained elsewhere: do its latents keep the non-bisimilar observations apart, and (with --transition and --aux-head) are its losses near zero on this MDP and is the separation certified? Exit 0 when --require is met (certified with heads, apart for latents or an encoder alone), 1 unhealthy collapse, 2 bad input, 3 apart but short of --require (heads that give no certificate, and latents alone under certified, included).");
        input.AddTo(command, analysis: true);
        var pairs = new Option<bool>("--pairs") { Description = "List every non-equivalent pair with its latent distance and certified bound (as train --pairs)" };
        foreach (var o in new Option[] { latents, encoder, features, transition, auxHead, auxBins, auxRange, lossTarget, tolerance, require, fraction, pairs, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (latentsPath, encoderPath) = (r.GetValue(latents), r.GetValue(encoder));
            if ((latentsPath is null) == (encoderPath is null))
            {
                throw new UsageException("give the latents one way: --latents Z.npy|Z.csv, or --encoder E.onnx");
            }

            if (encoderPath is null && r.GetValue(features) is not null)
            {
                throw new UsageException("--features goes with --encoder (the latents of --latents need no encoder)");
            }

            if ((r.GetValue(transition) is null) != (r.GetValue(auxHead) is null))
            {
                throw new UsageException($"{(r.GetValue(transition) is null ? "--aux-head" : "--transition")} was given alone; the premise (both losses) and the certificate need --transition and --aux-head together");
            }

            var collapse = InputOptions.Collapse(r.GetValue(tolerance)) with { ListPairs = r.GetValue(pairs) };

            var target = r.GetValue(lossTarget);
            if (!(target > 0) || !double.IsFinite(target))
            {
                throw new UsageException($"--loss-target must be a finite number > 0, got {target}");
            }

            if (r.GetValue(fraction) is { } f && !(f >= 0 && f <= 1))
            {
                throw new UsageException($"--min-certified-fraction must be between 0 and 1, got {f}");
            }

            var requirement = r.GetValue(require) is { } level
                ? new Requirement(Requirement.ParseLevel(level)!.Value, r.GetValue(fraction))
                : r.GetValue(fraction) is { } only ? new Requirement(RequirementLevel.Apart, only) : null;
            Learning.Autograd.TwoHotBins? bins = null;
            if (r.GetValue(auxBins) is { } count)
            {
                bins = r.GetValue(auxHead) is null
                    ? throw new UsageException("--aux-bins says how to read the aux head's outputs; give --aux-head (and --transition)")
                    : TrainCommand.ParseBins(count, r.GetValue(auxRange)!);
            }

            var mdp = input.Load(r);
            Analysis.RequireComparable(mdp, collapse, withHeads: r.GetValue(transition) is not null && r.GetValue(auxHead) is not null);
            var analysis = Analysis.Of(mdp, input.Options(r));
            var assessment = latentsPath is not null
                ? Assessment.OfLatentsFile(analysis, latentsPath, target, collapse, r.GetValue(transition), r.GetValue(auxHead), bins)
                : Assessment.OfOnnx(analysis, encoderPath!, r.GetValue(transition), r.GetValue(auxHead), r.GetValue(features), target, collapse, bins);

            requirement ??= Requirement.Default(assessment.Separation.HeadsGiven);
            foreach (var warning in assessment.Warnings)
            {
                io.Error.WriteLine($"warning: {warning}");
            }

            if (r.GetValue(json))
            {
                io.Out.Write(Json(assessment, analysis, requirement));
            }
            else
            {
                io.WriteText(Text(assessment, analysis, requirement));
            }

            return assessment.ExitCodeUnder(requirement);
        }));
        return command;
    }

    private static string Verdict(Assessment a)
    {
        var num = CollapseOutput.Num;
        var premise = a.LossesBelowTarget switch
        {
            true => $"both mean losses are below {num(a.LossTarget)}",
            false => $"the mean losses do not reach {num(a.LossTarget)}",
            null => "the losses were not measured (give --transition and --aux-head)",
        };
        return CollapseOutput.Verdict(a.Separation, premise);
    }

    private static string Text(Assessment a, Analysis analysis, Requirement requirement)
    {
        var num = CollapseOutput.Num;
        var sb = new StringBuilder();
        sb.AppendLine(analysis.Summary());
        sb.AppendLine($"latents: {a.Latents.Source}, {a.Latents.Rows} × {a.Latents.Dim}");
        if (a.LossDyn is not null || a.LossAux is not null)
        {
            sb.AppendLine($"  L_dyn {num(a.LossDyn)} (max residual {num(a.MaxResidualDyn)})   L_p {num(a.LossAux)} (max residual {num(a.MaxResidualAux)})   (target {num(a.LossTarget)})");
            sb.AppendLine($"  summed over the {a.Latents.Dim} latent and {a.AuxDim} aux coordinates, as train reports them and as the target applies; per coordinate (PyTorch's F.mse_loss): L_dyn {num(a.LossDynPerDim)}, L_p {num(a.LossAuxPerDim)}");
        }

        CollapseOutput.Text(sb, a.Report, analysis.Mdp);
        CollapseOutput.Certificate(sb, a.Separation, analysis);
        sb.AppendLine(Verdict(a));
        sb.AppendLine(Required(a, requirement));
        return sb.ToString();
    }

    private static string Required(Assessment a, Requirement requirement)
    {
        var met = a.Separation.Meets(requirement);
        var fraction = a.Separation.CertifiedFraction is { } f ? $"{f * 100:0.#} % of the pairs certified" : "no certificate";
        return $"required: {requirement} — {(met ? "met" : a.Separation.Verdict == SeparationVerdict.Collapsed ? "not met (collapsed)" : $"not met ({fraction})")}";
    }

    private static string Json(Assessment a, Analysis analysis, Requirement requirement) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("latents_source", a.Latents.Source);
        w.WriteNumber("observations", a.Report.Observations);
        w.WriteNumber("latent_dim", a.Report.LatentDim);
        JsonText.NumberOrNull(w, "loss_dyn", a.LossDyn);
        JsonText.NumberOrNull(w, "loss_aux", a.LossAux);
        JsonText.NumberOrNull(w, "loss_dyn_per_dim", a.LossDynPerDim);
        JsonText.NumberOrNull(w, "loss_aux_per_dim", a.LossAuxPerDim);
        JsonText.NumberOrNull(w, "max_residual_dyn", a.MaxResidualDyn);
        JsonText.NumberOrNull(w, "max_residual_aux", a.MaxResidualAux);
        w.WriteNumber("loss_target", a.LossTarget);
        if (a.LossesBelowTarget is { } below)
        {
            w.WriteBoolean("losses_below_target", below);
        }
        else
        {
            w.WriteNull("losses_below_target");
        }

        w.WriteBoolean("separated", a.Report.Separated);
        CollapseOutput.Json(w, a.Report, analysis.Mdp, a.TheoremHolds);
        CollapseOutput.CertificateJson(w, a.Separation, analysis.Mdp);
        w.WriteStartObject("required");
        w.WriteString("level", requirement.Level.ToString().ToLowerInvariant());
        w.WriteNumber("min_certified_fraction", requirement.CertifiedFraction);
        w.WriteBoolean("met", a.Separation.Meets(requirement));
        w.WriteEndObject();
        w.WriteNumber("exit_code", a.ExitCodeUnder(requirement));
        w.WriteStartArray("warnings");
        foreach (var warning in a.Warnings)
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
