using System.CommandLine;
using Jepa.Verify.Cli.Experiments;
using Jepa.Verify.Pipeline.Experiments;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Audit;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify demo</c>: the main job end to end on the built-in environments, checking its own
/// expected outcomes (exit 1 if one fails).
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CommandIo io)
    {
        var outDir = new Option<string>("--out") { Description = "Directory for the experiment's table and figures (PNG and SVG)", DefaultValueFactory = _ => "demo-out", HelpName = "DIR" }.NonEmpty();
        var command = new Command("demo", "Run the main job on the image counting environment, the count-only task and a gridworld: conditions, bisimulation classes, witnesses, audit, finite data, the Z3 proof, quick joint and dyn-only training with their verdicts and figures, the certificate, and the reference code's protocol in its quick setting. Exit 0 every expected outcome holds, 1 one fails, 2 bad options.");
        command.Options.Add(outDir);
        command.SetAction(r => CliApp.Guard(io.Error, () => Run(io.Out, r.GetValue(outDir)!)));
        return command;
    }

    private static int Run(TextWriter o, string outDir)
    {
        OutputPath.EnsureDirectory("--out", outDir);
        var failures = 0;
        void Expect(bool ok, string what)
        {
            o.WriteLine($"   [{(ok ? "ok" : "FAILED")}] {what}");
            failures += ok ? 0 : 1;
        }

        o.WriteLine("Jepa.Verify demo: which observations must a zero-loss JEPA keep apart?");
        o.WriteLine();

        // The quick experiment: seed 1, the first seed whose joint run reaches the loss target
        // (docs/counting.md reports every seed, including those that do not).
        var settings = CountingSettings.Demo([1], [TrainingMode.Joint, TrainingMode.DynOnly]);
        var experiment = CountingExperiment.Run(settings);
        var images = experiment.Mdp;
        o.WriteLine($"1. The paper's counting environment: {images.ObservationCount} images ({settings.Environment.Size}x{settings.Environment.Size} RGB, {settings.Environment.Families} shape/colour families x 9 counts x {settings.Environment.Layouts} layouts), inc/dec clipped to [0, 8], reward 1 iff count = 4");
        Expect(experiment.Analysis.Report.HypothesesHold, "the theorem's hypotheses hold: unique ids, deterministic, complete, finite aux");
        o.WriteLine($"2. Bisimulation classes of the images: {experiment.Classes}");
        Expect(experiment.Classes == 9, "9 classes, one per count: shape, colour and layout never matter to the reward's future");

        var counting = ClassicMdps.Counting();
        var report = ConditionChecker.Check(counting);
        var keys = AuxKeys.Compute(counting.Aux);
        var result = Bisimilarity.Compute(counting);

        var analysis = new Analysis(counting, report, keys, result);
        o.WriteLine("3. Why, on the count-only task (count0 ... count8): shortest distinguishing action sequences");
        foreach (var (a, b) in new[] { (0, 1), (3, 5), (0, 4) })
        {
            o.WriteLine($"   {counting.Shown(a)} vs {counting.Shown(b)}: {result.Witness(a, b)!.Describe(analysis.Mdp)}");
        }

        var audit = AuxAudit.Run(counting, result, keys, ["count"]);
        o.WriteLine($"4. Audit of the label 'count': reward alone {audit.AuxOnly.Labels[0].Verdict} (purity {audit.AuxOnly.Labels[0].Purity:0.###}), reward + dynamics {audit.Bisimulation.Labels[0].Verdict}");
        Expect(audit.Bisimulation.Labels[0].Verdict == "kept", "the dynamics turn a sparse reward into the full count");

        var grid = ClassicMdps.Gridworld();
        var gridResult = Bisimilarity.Compute(grid);
        o.WriteLine($"5. Healthy collapse: a 3x4 gridworld rewarded in its last column has {gridResult.Partition!.Count} classes for 12 cells");
        Expect(gridResult.Partition.Count == 4 && gridResult.Witness(grid.IndexOfObservation("r0c1"), grid.IndexOfObservation("r2c1")) is null,
            "rows never matter, so r0c1 and r2c1 are bisimilar: an encoder may merge them (the theorem is one-sided)");

        var (walk, _) = ClassicMdps.CountingWalk(24, seed: 3);
        var walkReport = ConditionChecker.Check(walk);
        var relation = Bisimilarity.Compute(walk).Relation!;
        o.WriteLine($"6. Finite data: a 24-step random walk observes {walk.Transitions.Length} distinct transitions ({walkReport["completeness"].Count} missing)");
        o.WriteLine($"   only observed transitions constrain: {relation.DistinguishedCount} of {relation.PairCount} pairs are forced apart");
        Expect(!walkReport.Complete && walkReport.FiniteDataApplies && relation.DistinguishedCount < 36,
            "the guarantee shrinks to the distinguishable pairs of the data");

        var proof = experiment.Proof;
        o.WriteLine($"7. Z3 on the image MDP's finite abstraction ({proof.Queries[0].Result.Results[0].Solver}): collapse_possible = {(proof.CollapsePossible is { } c ? c.ToString().ToLowerInvariant() : "unknown")}, min_latents = {proof.MinLatents?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
        Expect(proof.Verdict == ProofVerdict.Verified && proof.MinLatents == 9, "no zero-loss model merges two counts, and 9 latents are needed and enough");

        o.WriteLine($"8. Quick P-JEPA training on the images (seed {settings.Seeds[0]}, at most {settings.Training.Steps} steps):");
        foreach (var run in experiment.Outcomes)
        {
            var (res, rep) = (run.Run.Result, run.Run.Report);
            o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"   {TrainingModes.Name(run.Mode),-8} {res.Steps} steps, L_dyn {res.LossDyn:0.0e+0}, L_p {res.LossAux:0.0e+0}; {run.CountGroups} count group(s) in {rep.Clusters} cluster(s); theorem: {run.Verdict}"));
        }

        var joint = experiment.Outcomes.Single(x => x.Mode == TrainingMode.Joint);
        var dynOnly = experiment.Outcomes.Single(x => x.Mode == TrainingMode.DynOnly);
        Expect(joint.Run.Separation.Verdict != SeparationVerdict.Collapsed && joint.CountGroups == 9, "joint: the 9 counts stay apart, as the theorem says (the paper's plain model: apart, though its residuals do not certify it)");
        Expect(dynOnly.CountGroups == 1, "dyn-only: without the reward head every count collapses into one group");

        var certified = TrainingRun.Of(counting, new BisimulationOptions(), new PJepaConfig(), CollapseOptions.Default);
        var certificate = certified.Separation.Certificate!;
        o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"9. The certificate: default training on the count-only task stops once the residuals force every pair apart: {certified.Result.Steps} steps, {certificate.CertifiedPairs} of {certificate.NonEquivalentPairs} pairs certified ({(certificate.RolledOutPairs > 0 ? $"{certificate.RolledOutPairs} of them, told apart only after 3 or 4 steps, by the model's own rollouts" : "every one by the step-by-step bounds")}), L_T {certificate.LipschitzTransition:0.##}, L_P {certificate.LipschitzAux:0.##}, max residual {certificate.MaxResidualDyn:0.0e+0}{(certificate.RolledOutPairs > 0 ? $" (the step-by-step bounds alone would need {certificate.RequiredResidual:0.0e+0})" : "")}"));
        Expect(certified.Separation.Verdict == SeparationVerdict.Certified, "certified: every non-equivalent pair has a positive lower bound at the loss actually reached");

        var figures = CountingReport.WriteFigures(experiment, outDir);
        var markdown = CountingReport.Markdown(experiment, figures);
        Mdp.Formats.AtomicFile.WriteAllText(Path.Combine(outDir, "counting.md"), markdown);
        o.WriteLine();
        o.Write(CountingReport.Table(experiment));
        o.WriteLine($"   table and {figures.Count} figures (PNG and SVG: PCA of the latents by count, distance heatmaps, loss curves) written to {outDir}/");

        // The paper's own protocol, quick: its convolutional model and losses on random trajectories, judged on held-out probes.
        var reference = ReferenceCountingExperiment.Run(ReferenceCountingSettings.QuickSettings([0], [ReferenceMode.Joint, ReferenceMode.TransitionOnly]));
        var referenceDir = Path.Combine(outDir, "reference");
        OutputPath.EnsureDirectory("--out", referenceDir);
        var referenceFigures = ReferenceReport.WriteFigures(reference, referenceDir);
        Mdp.Formats.AtomicFile.WriteAllText(Path.Combine(referenceDir, "counting.md"), ReferenceReport.Markdown(reference, referenceFigures));
        var quick = reference.Settings;
        o.WriteLine();
        o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"10. The reference code's protocol (quick: {reference.Observations[0]} observations from {quick.Episodes} random trajectories, {quick.Size}x{quick.Size}, convolutional encoder, two-hot reward head, {quick.Training.Steps} steps), on {quick.Probes} held-out probes:"));
        foreach (var run in reference.Outcomes)
        {
            o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"   {ReferenceModes.Name(run.Mode),-15} cluster accuracy {run.ClusterAccuracy?.Accuracy:0.00} (in-sample {run.ClusterAccuracyInSample?.Accuracy:0.00}, chance {run.ClusterAccuracy?.Chance:0.00}), decoder MSE {run.DecoderMse:0.0000} vs mean image {run.DecoderBaselineMse:0.0000}"));
        }

        var referenceJoint = reference.Outcomes.Single(x => x.Mode == ReferenceMode.Joint).ClusterAccuracy!;
        Expect(referenceJoint.Accuracy > referenceJoint.Chance, "joint: the count is read off the held-out probes' latents better than chance, after minutes on a CPU (the full setting and the reference's numbers: docs/counting.md)");
        o.WriteLine($"   table and {referenceFigures.Count} figures (t-SNE, PCA, distance heatmaps, loss curves, reconstructions) written to {referenceDir}/");

        o.WriteLine();
        o.WriteLine(failures == 0
            ? "demo: every expected outcome holds. Next: ./jepa-verify experiment counting --quick --seeds 3, or ./jepa-verify classes examples/counting.json --witnesses"
            : $"demo: {failures} expected outcome(s) FAILED");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
