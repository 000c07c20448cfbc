using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// Runs a <see cref="CheckConfig"/>: conditions → classes → proof → training per seed → collapse
/// analysis, and turns each stage into check cases, compared with thresholds and a baseline.
/// </summary>
public static class CheckRunner
{
    /// <summary>Runs every stage; <paramref name="log"/> gets one line per finished stage.</summary>
    /// <param name="config">What to run.</param>
    /// <param name="baseline">The baseline to compare with, or null.</param>
    /// <param name="log">Progress, or null.</param>
    /// <param name="panel">The solvers to prove with; null for the config's choice (tests pass solvers that answer unknown).</param>
    public static CheckResult Run(CheckConfig config, CheckBaseline? baseline, Action<string>? log = null, SolverPanel? panel = null)
    {
        var cases = new List<CheckCase>();
        var clock = Stopwatch.StartNew();
        var mdp = config.Build();
        // The encoder is chosen (and a choice the MDP cannot honour refused) before any work.
        var training = config.External is null ? Encoders.Resolve(config.Training, mdp, config.Encoder, config.Stages) : config.Training;
        var conditions = ConditionChecker.Check(mdp);
        cases.Add(Conditions(conditions, config.Inputs.Any(i => i.Role == CheckConfig.EnvironmentFileRole) ? mdp.Arguments : null, Lap(clock)));
        if (!conditions.FiniteDataApplies)
        {
            cases.Add(Skip("classes", null, "the theorem's conditions fail"));
            if (config.Solver is not null)
            {
                cases.Add(Skip("prove", null, "the theorem's conditions fail"));
            }

            foreach (var seed in config.Seeds)
            {
                cases.Add(Skip("train", seed, "the theorem's conditions fail"));
                cases.Add(Skip("collapse", seed, "the theorem's conditions fail"));
                cases.Add(Skip("certify", seed, "the theorem's conditions fail"));
            }

            return new CheckResult(config, mdp, conditions, null, null, [], [.. cases], baseline);
        }

        var analysis = Analysis.Of(mdp, config.Options, conditions);
        cases.Add(Classes(config, analysis, Lap(clock)));
        log?.Invoke($"{cases[^1].FullName}: {cases[^1].Message}");

        AbstractionProof? proof = null;
        if (config.Solver is not null)
        {
            (proof, var proveCase) = Prove(config, analysis, panel ?? SolverPanel.For(config.Solver));
            cases.Add(proveCase with { Seconds = Lap(clock) });
            log?.Invoke($"prove: {proveCase.Message}");
        }

        if (baseline is not null)
        {
            cases.Add(CompareStructure(baseline, analysis, proof));
        }

        if (config.External is { } external)
        {
            var assessment = Assess(config, analysis, external);
            var (assessCase, collapseCase) = (AssessCase(external, assessment, Lap(clock)), Collapse(config, assessment.Report, analysis.Mdp, null, external.Kind));
            cases.Add(assessCase);
            cases.Add(collapseCase);
            cases.Add(Certify(assessment.Separation, null, external.Kind, config.Requirement));
            if (baseline is not null)
            {
                cases.Add(CompareRun(baseline, ExternalSeed, assessment.LossesBelowTarget, assessment.Report, assessment.Separation.Certificate, external.Kind));
            }

            log?.Invoke($"{external.Kind}: {assessCase.StatusText}, {collapseCase.StatusText}: {assessCase.Message}");
            return new CheckResult(config, mdp, conditions, analysis, proof, [], [.. cases], baseline, assessment);
        }

        var runs = ImmutableArray.CreateBuilder<TrainingRun>();
        if (mdp.Transitions.Length == 0)
        {
            // Nothing to train on; the report still lists every case.
            foreach (var seed in config.Seeds)
            {
                cases.Add(Skip("train", seed, $"{mdp.Source} has no transitions; P-JEPA trains on transitions (o, a, o')"));
                cases.Add(new CheckCase("collapse", seed, CheckStatus.Inconclusive, "no model was trained, so nothing shows that the latents keep the classes apart"));
                cases.Add(Skip("certify", seed, "no model was trained"));
            }

            return new CheckResult(config, mdp, conditions, analysis, proof, runs.ToImmutable(), [.. cases], baseline);
        }

        var data = TrainingData.FromMdp(mdp);
        var options = new CollapseOptions(config.Tolerance);
        foreach (var seed in config.Seeds)
        {
            var run = TrainingRun.Train(analysis, data, config.Options, training with { Seed = seed }, options);
            runs.Add(run);
            var seconds = Lap(clock);
            var train = Train(run, seed, seconds);
            var collapseCase = run.Collapse is { } report
                ? Collapse(config, report, mdp, seed, null)
                : Skip("collapse", seed, "training diverged: there are no latents to analyse");
            cases.Add(train);
            cases.Add(collapseCase);
            cases.Add(run.Collapse is null ? Skip("certify", seed, "training diverged: there are no latents to certify") : Certify(run.Separation, seed, null, config.Requirement));
            if (baseline is not null)
            {
                cases.Add(CompareRun(baseline, seed, run.Result.BothLossesBelowTarget, run.Collapse, run.Certificate, null));
            }

            log?.Invoke($"seed {seed}: {train.StatusText}, {collapseCase.StatusText}: {train.Message} ({seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
        }

        return new CheckResult(config, mdp, conditions, analysis, proof, runs.ToImmutable(), [.. cases], baseline);
    }

    /// <param name="report">The conditions.</param>
    /// <param name="arguments">How <c>jepa-verify conditions</c> names the environment (<see cref="Mdp.MdpModel.Arguments"/>), or null for a built-in one.</param>
    /// <param name="seconds">The stage's time.</param>
    private static CheckCase Conditions(ConditionReport report, string? arguments, double seconds)
    {
        if (!report.FiniteDataApplies)
        {
            var failed = report.Blocking;
            var details = string.Join("\n", failed.SelectMany(r => r.First.Select(i => $"{r.Name}: {i.Location}: {i.Text}")));
            return new CheckCase("conditions", null, CheckStatus.Fail,
                $"the theorem's hypotheses fail: {string.Join("; ", failed.Select(r => $"{r.Name} ({r.Summary})"))}; 'jepa-verify conditions {report.Source}' lists every problem", details, seconds);
        }

        var message = report.Complete
            ? "deterministic, complete, aux defined everywhere: the theorem's hypotheses hold"
            : $"deterministic, aux defined everywhere; {report["completeness"].Summary}: the finite-data form applies";
        return new CheckCase("conditions", null, CheckStatus.Pass, message, "", seconds);
    }

    private static CheckCase Classes(CheckConfig config, Analysis analysis, double seconds)
    {
        var result = analysis.Result;
        if (result.Partition is not { } partition)
        {
            var relation = result.Relation!;
            var text = $"finite data: {relation.DistinguishedCount} of {relation.PairCount} pairs distinguishable";
            return config.ExpectedClasses is { } k
                ? new CheckCase("classes", null, CheckStatus.Fail, $"{text}, so there are no classes to compare with the expected {k}; set \"missing\": \"sink\" or remove thresholds.classes", "", seconds)
                : new CheckCase("classes", null, CheckStatus.Pass, text, "", seconds);
        }

        var count = partition.Count;
        return config.ExpectedClasses is { } expected && expected != count
            ? new CheckCase("classes", null, CheckStatus.Fail, $"{count} bisimulation classes, expected {expected}", "", seconds)
            : new CheckCase("classes", null, CheckStatus.Pass, $"{count} bisimulation classes{(config.ExpectedClasses is null ? "" : " as expected")}", "", seconds);
    }

    private static (AbstractionProof? Proof, CheckCase Case) Prove(CheckConfig config, Analysis analysis, SolverPanel panel)
    {
        var skipped = analysis.NothingToProve()
            ?? (analysis.Result.FullPartition is null ? "missing transitions: the zero-loss equations need every transition; set \"missing\": \"sink\" to prove on the completed MDP" : null);
        if (skipped is not null)
        {
            // A threshold the skipped proof would have checked fails: it is never passed unchecked.
            return (null, config.ExpectedMinLatents is { } threshold
                ? new CheckCase("prove", null, CheckStatus.Fail, $"thresholds.min_latents {threshold} could not be checked: the proof did not run ({skipped}); fix that or remove the threshold")
                : Skip("prove", null, skipped));
        }

        AbstractionProof proof;
        try
        {
            proof = AbstractionProver.Prove(analysis.Abstraction(), panel, new SolverOptions(config.SolverTimeout));
        }
        catch (SolverDisagreementException ex)
        {
            return (null, new CheckCase("prove", null, CheckStatus.Inconclusive, ex.Message));
        }

        var details = string.Join("\n", proof.Queries.Select(q => $"{q.Name}: expected {q.Expected.ToString().ToLowerInvariant()}, {q.Result.Describe()}"));
        switch (proof.Verdict)
        {
            case ProofVerdict.Violated:
                var why = proof.CollapsePossible == true && proof.Counterexample is var (a, b)
                    ? $"a zero-loss model merges {analysis.Name(a)} and {analysis.Name(b)}"
                    : "a query was not as expected (the partition or its decoder does not match the MDP)";
                return (proof, new CheckCase("prove", null, CheckStatus.Fail, $"violated: {why}", details));
            case ProofVerdict.Unknown:
                var unknown = proof.Queries.Where(q => q.Inconclusive).Select(q => $"{q.Name} ({q.Result.Describe()})");
                return (proof, new CheckCase("prove", null, CheckStatus.Inconclusive, $"no verdict: {string.Join(", ", unknown)}; raise prove.timeout_seconds", details));
        }

        var min = proof.MinLatents;
        if (config.ExpectedMinLatents is { } expected && min != expected)
        {
            return (proof, new CheckCase("prove", null, CheckStatus.Fail, $"collapse impossible, but min_latents is {Text(min)}, expected {expected}", details));
        }

        return (proof, new CheckCase("prove", null, CheckStatus.Pass, $"collapse impossible; min_latents {Text(min)}{(config.ExpectedMinLatents is null ? "" : " as expected")} ({PanelResult.SolverNames(proof.Queries.Select(q => q.Result))})", details));
    }

    private static CheckCase Train(TrainingRun run, ulong seed, double seconds)
    {
        var r = run.Result;
        var encoder = r.Config.ImageEncoder is { } conv ? $" (convolutional encoder on {conv.Channels}x{conv.Height}x{conv.Width} images)" : "";
        var losses = $"L_dyn {Num(r.LossDyn)}, L_p {Num(r.LossAux)} after {r.Steps} steps{encoder}";
        if (r.Status == TrainingStatus.Diverged)
        {
            return new CheckCase("train", seed, CheckStatus.Fail, $"training diverged ({r.Message}); lower training.learning_rate or set training.grad_clip", "", seconds);
        }

        // The mean losses are information; the certify case judges what the residuals force.
        return new CheckCase("train", seed, CheckStatus.Pass,
            $"{losses}: {(r.BothLossesBelowTarget ? "both below" : "not both below")} {Num(r.Config.LossTarget)}", "", seconds);
    }

    /// <summary>
    /// Pass when the requirement is met (certified, or the required fraction, or apart); inconclusive when apart but short
    /// of it (heads without a certificate, latents alone under <c>certified</c>, included); skipped when collapsed (the
    /// collapse case fails) or when apart was all that was required and there is no certificate to report.
    /// </summary>
    private static CheckCase Certify(Separation separation, ulong? seed, string? kind, Requirement? required)
    {
        var name = kind is null ? "certify" : $"certify {kind}";
        var requirement = required ?? Requirement.Default(separation.HeadsGiven);
        if (separation.Verdict == SeparationVerdict.Collapsed)
        {
            return Skip(name, seed, "collapsed (see the collapse case)");
        }

        var met = separation.Meets(requirement);
        if (separation.Certificate is not { } c)
        {
            return met
                ? Skip(name, seed, $"no certificate: {separation.NoCertificate} (required: {requirement})")
                : new CheckCase(name, seed, CheckStatus.Inconclusive, $"apart, but no certificate: {separation.NoCertificate}; required: {requirement}");
        }

        var numbers = $"{c.CertifiedPairs} of {c.NonEquivalentPairs} non-equivalent pairs certified{(c.RolledOutPairs > 0 ? $" ({c.RolledOutPairs} by rollouts)" : "")}; min bound {Text(c.MinCertifiedDistance)}; bound/distance min {Text(c.TightnessMin)}, median {Text(c.TightnessMedian)}; L_T {Num(c.LipschitzTransition)}, L_P {Num(c.LipschitzAux)}; max residual e_T {Text(c.MaxResidualDyn)}, e_P {Text(c.MaxResidualAux)}; required residual {Text(c.RequiredResidual)}{(c.Level is { } level ? $"; {level.Summary}" : "")}";
        var hint = kind is null ? "raise training.steps" : "train the model further, or with the Lipschitz penalty, and export it again";
        return (separation.Verdict, met) switch
        {
            (SeparationVerdict.Certified, _) => new CheckCase(name, seed, CheckStatus.Pass, $"certified: {numbers}"),
            (_, true) => new CheckCase(name, seed, CheckStatus.Pass, $"apart, not every pair certified, as {requirement} allows: {numbers}"),
            _ => new CheckCase(name, seed, CheckStatus.Inconclusive, $"apart, not certified as required ({requirement}): {numbers}; drive every residual below the required one ({hint})"),
        };
    }

    /// <summary>The seed an external model's outcome is recorded under in a baseline (it has no seed of its own).</summary>
    internal const ulong ExternalSeed = 0;

    private static CheckCase Collapse(CheckConfig config, CollapseReport report, Mdp.MdpModel mdp, ulong? seed, string? kind)
    {
        var name = kind is null ? "collapse" : $"collapse {kind}";
        var pairs = $"{report.Violations} of {report.NonEquivalentPairs} non-equivalent pairs within {Num(report.Tolerance)}; {report.Clusters} latent cluster{(report.Clusters == 1 ? "" : "s")}; min distance {Text(report.MinNonEquivalentDistance)}";
        var misses = config.MetricThresholds.Select(t => t.Miss(report)).OfType<string>().ToList();
        if (report.Violations <= config.MaxViolations && misses.Count == 0)
        {
            return new CheckCase(name, seed, CheckStatus.Pass, $"no unhealthy collapse: {pairs}");
        }

        if (report.Violations <= config.MaxViolations)
        {
            return new CheckCase(name, seed, CheckStatus.Fail, $"collapse metrics below their thresholds: {string.Join("; ", misses)} ({pairs})");
        }

        var details = new StringBuilder();
        foreach (var p in report.OffendingPairs)
        {
            details.AppendLine(CultureInfo.InvariantCulture, $"collapsed: {mdp.Shown(p.A)} ~ {mdp.Shown(p.B)} at {Num(p.Distance)}");
        }

        return new CheckCase(name, seed, CheckStatus.Fail, $"unhealthy collapse: {pairs} (allowed {config.MaxViolations})", details.ToString().TrimEnd());
    }

    /// <summary>Reads the latents, or runs the ONNX model, and assesses them as <c>assess</c> does.</summary>
    private static Assessment Assess(CheckConfig config, Analysis analysis, ExternalModel external)
    {
        var collapse = new CollapseOptions(config.Tolerance);
        return external.Latents is { } latents
            ? Assessment.OfLatentsFile(analysis, latents, config.Training.LossTarget, collapse, external.Transition, external.AuxHead, external.AuxBins)
            : Assessment.OfOnnx(analysis, external.Encoder!, external.Transition, external.AuxHead, null, config.Training.LossTarget, collapse, external.AuxBins);
    }

    private static CheckCase AssessCase(ExternalModel external, Assessment a, double seconds)
    {
        var name = $"assess {external.Kind}";
        var source = $"latents from {a.Latents.Source} ({a.Latents.Rows} × {a.Latents.Dim})";
        return a.LossesBelowTarget switch
        {
            true => new CheckCase(name, null, CheckStatus.Pass, $"{source}; L_dyn {Text(a.LossDyn)}, L_p {Text(a.LossAux)}: both below {Num(a.LossTarget)}", "", seconds),
            false => new CheckCase(name, null, CheckStatus.Fail, $"{source}; L_dyn {Text(a.LossDyn)}, L_p {Text(a.LossAux)}: not both below the loss target {Num(a.LossTarget)}", "", seconds),
            null => new CheckCase(name, null, CheckStatus.Pass, $"{source}; the premise is not measured (give \"transition\" and \"aux_head\" in \"model.onnx\", beside \"latents\" too)", "", seconds),
        };
    }

    private static CheckCase CompareStructure(CheckBaseline baseline, Analysis analysis, AbstractionProof? proof)
    {
        var problems = new List<string>();
        var classes = analysis.Result.Partition?.Count;
        if (classes != baseline.Classes)
        {
            problems.Add($"classes {Text(classes)}, baseline {Text(baseline.Classes)}");
        }

        if (proof is not null && baseline.MinLatents is not null && proof.MinLatents != baseline.MinLatents)
        {
            problems.Add($"min_latents {Text(proof.MinLatents)}, baseline {Text(baseline.MinLatents)}");
        }

        return problems.Count > 0
            ? new CheckCase("baseline", null, CheckStatus.Fail, $"the environment changed: {string.Join("; ", problems)}; if intended, run with --update-baseline")
            : new CheckCase("baseline", null, CheckStatus.Pass, $"classes {Text(classes)} and min_latents {Text(proof?.MinLatents ?? baseline.MinLatents)} as in the baseline");
    }

    /// <summary>
    /// One run against its recorded outcome: more violations, fewer clusters or fewer certified pairs are regressions, and
    /// so is missing the loss target the recorded run reached, unless the run is certified now (training stops once
    /// certified, which may come before the loss target).
    /// </summary>
    private static CheckCase CompareRun(CheckBaseline baseline, ulong seed, bool? lossesBelowTarget, CollapseReport? now, CertificateReport? certificate, string? kind)
    {
        var caseSeed = kind is null ? seed : (ulong?)null;
        var name = kind is null ? "baseline" : $"baseline {kind}";
        var before = baseline.Runs.FirstOrDefault(r => r.Seed == seed);
        if (before is null)
        {
            return new CheckCase(name, caseSeed, CheckStatus.Fail, $"the baseline has no run for seed {seed}; record it with --update-baseline");
        }

        var problems = new List<string>();
        if (before.LossesBelowTarget && lossesBelowTarget == false && certificate is not { Certified: true })
        {
            problems.Add("the losses no longer reach the target");
        }


        if (before.Violations is { } v && (now is null || now.Violations > v))
        {
            problems.Add($"violations {Text(now?.Violations)}, baseline {v}");
        }

        if (before.Clusters is { } c && (now is null || now.Clusters < c))
        {
            problems.Add($"clusters {Text(now?.Clusters)}, baseline {c}");
        }
        if (before.CertifiedPairs is { } certified && (certificate is null || certificate.CertifiedPairs < certified))
        {
            problems.Add($"certified pairs {Text(certificate?.CertifiedPairs)}, baseline {certified}");
        }

        return problems.Count > 0
            ? new CheckCase(name, caseSeed, CheckStatus.Fail, $"regression: {string.Join("; ", problems)}")
            : new CheckCase(name, caseSeed, CheckStatus.Pass, $"no regression: violations {Text(now?.Violations)} (baseline {Text(before.Violations)}), clusters {Text(now?.Clusters)} (baseline {Text(before.Clusters)})");
    }

    private static CheckCase Skip(string name, ulong? seed, string why) => new(name, seed, CheckStatus.Skipped, $"skipped: {why}");

    private static double Lap(Stopwatch clock)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    private static string Num(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Text(double? value) => value is { } v ? Num(v) : "n/a";

    private static string Text(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "n/a";
}
