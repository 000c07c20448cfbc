using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>Everything one <c>check</c> run found: the stages' results and the check cases built from them.</summary>
/// <param name="Config">What was run.</param>
/// <param name="Mdp">The environment.</param>
/// <param name="Conditions">The condition report.</param>
/// <param name="Analysis">The bisimulation analysis; null when the conditions failed.</param>
/// <param name="Proof">The finite abstraction's proof; null when not run.</param>
/// <param name="Runs">One training run per seed that was trained, in seed order of the config.</param>
/// <param name="Cases">Every check case, in report order.</param>
/// <param name="Baseline">The baseline compared with, or null.</param>
/// <param name="Assessment">The assessment of a model trained elsewhere (config <c>"model": {"onnx"|"latents"}</c>), or null.</param>
public sealed record CheckResult(
    CheckConfig Config,
    MdpModel Mdp,
    ConditionReport Conditions,
    Analysis? Analysis,
    AbstractionProof? Proof,
    ImmutableArray<TrainingRun> Runs,
    ImmutableArray<CheckCase> Cases,
    CheckBaseline? Baseline,
    Pipeline.Assessment? Assessment = null)
{
    /// <summary>
    /// <c>fail</c> when any case failed, else <c>inconclusive</c> when any had no verdict or when nothing
    /// beyond the environment's structure was checked (every model and proof case skipped: a check that
    /// ran nothing never passes), else <c>pass</c>.
    /// </summary>
    public CheckStatus Verdict =>
        Cases.Any(c => c.Status == CheckStatus.Fail) ? CheckStatus.Fail
        : Cases.Any(c => c.Status == CheckStatus.Inconclusive) ? CheckStatus.Inconclusive
        : !Cases.Any(c => c.Status == CheckStatus.Pass && !StructureOnly.Contains(c.Name)) ? CheckStatus.Inconclusive
        : CheckStatus.Pass;

    /// <summary>Cases that look only at the environment (or compare with a baseline), never at a model or a proof.</summary>
    private static readonly string[] StructureOnly = ["conditions", "classes", "baseline"];

    /// <summary>The verdict as reports print it: <c>pass</c>, <c>fail</c> or <c>inconclusive</c>.</summary>
    public string VerdictText => Verdict.ToString().ToLowerInvariant();

    /// <summary>0 pass, 1 fail, 3 inconclusive.</summary>
    public int ExitCode => Verdict switch
    {
        CheckStatus.Fail => ExitCodes.CheckFailed,
        CheckStatus.Inconclusive => ExitCodes.Inconclusive,
        _ => ExitCodes.Ok,
    };

    /// <summary>How many cases have <paramref name="status"/>.</summary>
    public int Count(CheckStatus status) => Cases.Count(c => c.Status == status);

    /// <summary>This run's outcome as a baseline for later runs.</summary>
    public CheckBaseline ToBaseline() => new(
        Config.Name,
        Analysis?.Result.Partition?.Count,
        Proof?.MinLatents,
        [.. Runs.Select(r => new CheckBaseline.Run(
            r.Result.Config.Seed,
            r.Result.BothLossesBelowTarget,
            Finite(r.Result.LossDyn),
            Finite(r.Result.LossAux),
            r.Collapse?.Clusters,
            r.Collapse?.Violations,
            r.Certificate?.CertifiedPairs)),
            .. Assessment is { } a
                ? [new CheckBaseline.Run(CheckRunner.ExternalSeed, a.LossesBelowTarget == true, a.LossDyn, a.LossAux, a.Report.Clusters, a.Report.Violations, a.Separation.Certificate?.CertifiedPairs)]
                : Array.Empty<CheckBaseline.Run>()]);

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
