using System.Collections.Immutable;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Pipeline;

/// <summary>One training run: the analysis of the aux trained on, the training result and the collapse report.</summary>
/// <param name="Analysis">The analysis the latents were compared with (for <c>random-aux</c>, that of the random map).</param>
/// <param name="Result">What training produced.</param>
/// <param name="Separation">The collapse analysis and the certificate of the trained latents.</param>
public sealed record TrainingRun(Analysis Analysis, TrainingResult Result, Separation Separation)
{
    /// <summary>The collapse analysis of the trained latents.</summary>
    public CollapseReport Report => Separation.Collapse;

    /// <summary>
    /// Trains P-JEPA on an MDP already analysed and turned into training data, and analyses the latents: callers that
    /// train several modes or seeds on one MDP (<c>check</c>, the counting experiment) analyse and copy it once.
    /// </summary>
    /// <param name="analysis">The MDP's analysis.</param>
    /// <param name="data">Its training data.</param>
    /// <param name="options">The bisimulation options (used again for <c>random-aux</c>, whose aux is the random map).</param>
    /// <param name="config">The training configuration.</param>
    /// <param name="collapse">The collapse tolerance and limits.</param>
    /// <param name="progress">Receives progress while training, or null.</param>
    /// <exception cref="PipelineException">No transitions, or more observations than the collapse analysis compares.</exception>
    public static TrainingRun Train(Analysis analysis, TrainingData data, BisimulationOptions options, PJepaConfig config, CollapseOptions collapse, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(collapse);
        var mdp = analysis.Mdp;
        if (data.TransitionCount == 0)
        {
            throw new PipelineException($"{mdp.Source} has no transitions; P-JEPA trains on transitions (o, a, o')");
        }

        Analysis.RequireComparable(mdp, collapse);
        // Joint training stops once certified (or keeps going while it certifies more pairs); the ablations stop at the loss target.
        var pairs = analysis.Result.Pairs;
        // A two-hot aux head's runs stop at the loss target; their certificate (in symlog space) is computed once, at the end.
        Func<PJepaModel, float[], CertificationScore>? goal = config is { Mode: TrainingMode.Joint, TwoHot: null }
            ? (model, latents) =>
            {
                var s = Separation.Of(latents, config.LatentDim, data, data.Aux, () => Separation.HeadsOf(model), null, pairs, null, collapse with { ListPairs = false }, requiredResidual: false, directional: false);
                return new CertificationScore(s.Verdict == SeparationVerdict.Certified, !s.Collapse.Separated, s.Certificate?.CertifiedPairs ?? 0, s.Certificate?.BoundSum ?? 0);
            }
            : null;
        var words = config.EffectiveHorizon > 1 ? WitnessWords.For(analysis.Result, config.Seed) : null;
        var result = PJepaTrainer.Train(data, config, progress, goal: goal, words: words);
        if (config.Mode == TrainingMode.RandomAux)
        {
            // The theorem is about the aux actually trained on: recompute the classes for the random map (float32
            // targets widen to double exactly, so the classes are those of the values trained on).
            var aux = ImmutableArray.CreateRange(Enumerable.Range(0, mdp.ObservationCount).Select(o =>
                new AuxValue([.. Enumerable.Range(0, result.AuxDim).Select(j => (double)result.AuxTargets[(o * result.AuxDim) + j])])));
            analysis = analysis.WithAux(aux, options);
        }

        var separation = Separation.Of(result.Latents, result.LatentDim, data, result.AuxTargets, () => Separation.HeadsOf(result.Model), null,
            analysis.Result.Pairs, mdp.Labels, collapse);
        return new TrainingRun(analysis, result, separation);
    }

    /// <summary>The whole <c>train</c> pipeline on one MDP: analyse it, turn it into training data, train, analyse the latents.</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="options">The bisimulation options.</param>
    /// <param name="config">The training configuration.</param>
    /// <param name="collapse">The collapse tolerance and limits.</param>
    /// <param name="progress">Receives progress while training, or null.</param>
    /// <exception cref="MdpFormatException">A condition bisimulation needs fails.</exception>
    /// <exception cref="PipelineException">No transitions, an unusable aux tolerance, or more observations than the collapse analysis compares.</exception>
    public static TrainingRun Of(MdpModel mdp, BisimulationOptions options, PJepaConfig config, CollapseOptions collapse, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(collapse);
        Analysis.RequireComparable(mdp, collapse);
        var analysis = Analysis.Of(mdp, options);
        return Train(analysis, TrainingData.FromMdp(mdp), options, config, collapse, progress);
    }

    /// <summary>
    /// The exit code of <c>train</c>: for a joint run, the verdict's (0 certified, 1 collapsed, 3 apart but not certified;
    /// 3 when training diverged: no latents, no verdict); 0 for the ablations, which are expected to collapse.
    /// </summary>
    public int ExitCode => Result.Config.Mode switch
    {
        TrainingMode.Joint when Result.Status == TrainingStatus.Diverged => ExitCodes.Inconclusive,
        TrainingMode.Joint => Separation.ExitCode,
        _ => ExitCodes.Ok,
    };

    /// <summary>The theorem's loss-target verdict (<see cref="Separation.TheoremHoldsGiven"/>): both losses below the target and every non-equivalent pair apart; false when training diverged.</summary>
    public bool TheoremHolds => Result.Status != TrainingStatus.Diverged && Separation.TheoremHoldsGiven(Result.BothLossesBelowTarget);

    /// <summary>The collapse report, or null when training diverged and there are no trained latents to report on.</summary>
    public CollapseReport? Collapse => Result.Status == TrainingStatus.Diverged ? null : Report;

    /// <summary>The certificate, or null when there is none or training diverged (as <see cref="Collapse"/>).</summary>
    public CertificateReport? Certificate => Result.Status == TrainingStatus.Diverged ? null : Separation.Certificate;
}
