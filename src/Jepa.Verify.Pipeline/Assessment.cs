using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline.Latents;
using Jepa.Verify.Pipeline.Onnx;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// The collapse verdict for latents a model produced elsewhere, and, when its transition model and aux head are given,
/// the theorem's premise measured on every transition: what <c>jepa-verify assess</c> reports.
/// </summary>
/// <param name="Latents">The latents analysed.</param>
/// <param name="LossDyn">Mean over transitions of ‖T̂(E(o), a) − E(o')‖² (as <c>train</c>'s L_dyn), or null without a transition model.</param>
/// <param name="MaxResidualDyn">The largest residual norm ‖T̂(E(o), a) − E(o')‖ (not squared: comparable with the certificate's required residual), or null.</param>
/// <param name="LossAux">Mean over transitions of ‖P̂(E(o)) − p(o)‖² at their source (as <c>train</c>'s L_p), or null without an aux head.</param>
/// <param name="MaxResidualAux">The largest ‖P̂(E(o)) − p(o)‖ over all observations (not squared), or null.</param>
/// <param name="LossTarget">The near-zero target both losses must be below for the premise.</param>
/// <param name="Separation">The collapse analysis of the latents against the bisimulation (or the finite-data relation), and the certificate when there is one.</param>
public sealed record Assessment(
    LatentMatrix Latents,
    double? LossDyn,
    double? MaxResidualDyn,
    double? LossAux,
    double? MaxResidualAux,
    double LossTarget,
    Separation Separation)
{
    /// <summary>What the user should know that does not change the verdict (one line each), e.g. features that differ from the MDP's.</summary>
    public System.Collections.Immutable.ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>The aux values per observation.</summary>
    public int AuxDim { get; init; } = 1;

    /// <summary><see cref="LossDyn"/> divided by the latent dimension: PyTorch's <c>F.mse_loss</c> (mean over coordinates too).</summary>
    public double? LossDynPerDim => LossDyn / Latents.Dim;

    /// <summary><see cref="LossAux"/> divided by the aux dimension: PyTorch's <c>F.mse_loss</c>.</summary>
    public double? LossAuxPerDim => LossAux / AuxDim;

    /// <summary>The collapse analysis of the latents.</summary>
    public CollapseReport Report => Separation.Collapse;

    /// <summary>True or false when both heads were given (both losses below the target); null when the premise could not be measured.</summary>
    public bool? LossesBelowTarget => LossDyn is { } d && LossAux is { } a ? d < LossTarget && a < LossTarget : null;

    /// <summary>The theorem's verdict when the premise could be measured: premise reached and every non-equivalent pair apart; null otherwise.</summary>
    public bool? TheoremHolds => LossesBelowTarget is { } premise ? Separation.TheoremHoldsGiven(premise) : null;

    /// <summary>
    /// The exit code of <c>assess</c> under <paramref name="requirement"/> (null: certified with heads, apart for latents or
    /// an encoder alone): 0 met, 1 unhealthy collapse, 3 apart but short of it. The certificate is valid at the loss
    /// actually reached, so the loss target does not change the code; the report says whether the premise was reached.
    /// </summary>
    public int ExitCodeUnder(Requirement? requirement) => Separation.ExitCodeUnder(requirement);

    /// <summary>Assesses <paramref name="latents"/> (and the heads of <paramref name="model"/>, when it has them).</summary>
    /// <param name="mdp">The MDP (its labels feed the purity figures).</param>
    /// <param name="bisimulation">Its bisimulation: a partition, or the finite-data relation.</param>
    /// <param name="data">Its training data: transitions and aux targets (the residuals need them).</param>
    /// <param name="latents">One latent per observation.</param>
    /// <param name="model">The ONNX model the latents came from, for its transition model and aux head; or null.</param>
    /// <param name="lossTarget">The near-zero target of the premise.</param>
    /// <param name="options">The collapse tolerance and limits.</param>
    /// <exception cref="MdpFormatException">A head's output does not fit (wrong aux width), or fails.</exception>
    /// <exception cref="ArgumentException">More observations than <see cref="CollapseOptions.MaxObservations"/> (the analysis compares all pairs).</exception>
    public static Assessment Run(MdpModel mdp, BisimulationResult bisimulation, TrainingData data, LatentMatrix latents, OnnxJepa? model, double lossTarget, CollapseOptions options)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(bisimulation);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(latents);
        double? lossDyn = null, maxDyn = null, lossAux = null, maxAux = null;
        float[]? next = null, aux = null;
        if (model is { HasTransition: true })
        {
            next = model.PredictNext(data, latents);
            var predicted = next;
            (lossDyn, maxDyn) = MeanAndMax(data.TransitionCount, i => SquaredDistance(predicted, i, latents.Values, data.To[i], latents.Dim));
            maxDyn = maxDyn is { } largest ? Math.Sqrt(largest) : null;
        }

        if (model is { HasAuxHead: true })
        {
            var (p, width) = model.PredictAux(latents);
            var targets = data.Aux;
            var decoded = p;
            if (model.AuxBins is { } bins)
            {
                // Logits over two-hot bins: the prediction is the expected bin, the target clamp(symlog(p)).
                if (width != bins.Count || data.AuxDim != 1)
                {
                    throw new MdpFormatException(new SourceLocation(mdp.Source, 0), $"--aux-bins {bins.Count}: the aux head outputs {width} value(s) per observation and the aux values have {data.AuxDim}; a two-hot head gives one logit per bin for a scalar aux", "give --aux-bins the head's number of outputs");
                }

                var expectation = new HeadChain([HeadLayer.SoftmaxExpectation(bins.Values())]);
                var logits = p.Select(v => (double)v).ToArray();
                decoded = [.. Enumerable.Range(0, latents.Rows).Select(o => (float)expectation.Evaluate(logits.AsSpan(o * width, width))[0])];
                targets = [.. data.Aux.Select(v => (float)bins.Target(v))];
                width = 1;
            }
            else if (width != data.AuxDim)
            {
                throw new MdpFormatException(new SourceLocation(mdp.Source, 0), $"the aux head outputs {width} value(s) per observation, but the aux values have {data.AuxDim}",
                    data.AuxDim == 1 && width > 1 ? $"if it outputs logits over two-hot bins (TD-MPC2's reward head), pass --aux-bins {width}" : "give the aux head that predicts this MDP's aux");
            }

            aux = p;
            var perObservation = new double[latents.Rows];
            for (var o = 0; o < latents.Rows; o++)
            {
                perObservation[o] = SquaredDistance(decoded, o, targets, o, width);
            }

            (lossAux, _) = MeanAndMax(data.TransitionCount, i => perObservation[data.From[i]]);
            maxAux = Math.Sqrt(perObservation.DefaultIfEmpty().Max());
        }

        // The ONNX heads are read and checked against the runtime only when a certificate is possible (Separation.Of).
        // The predictions are dropped once the heads are checked against them (at scale they are the largest array).
        Func<(CertifiedHeads?, string?)>? heads = model is not null && next is not null && aux is not null
            ? () =>
            {
                var read = model.Heads(data, latents, next!, aux!);
                (next, aux) = (null, null);
                return read;
            }
            : null;
        var why = model is null
            ? "latents alone: a certificate needs the transition model and the aux head (--transition, --aux-head)"
            : "a certificate needs both the transition model and the aux head";
        var separation = Separation.Of(latents.Values, latents.Dim, data, data.Aux, heads, why, bisimulation.Pairs, mdp.Labels, options);
        return new Assessment(latents, lossDyn, maxDyn, lossAux, maxAux, lossTarget, separation) { AuxDim = data.AuxDim };
    }

    /// <summary>
    /// Assesses the latents a model wrote to <paramref name="path"/> (<c>.npy</c> or CSV; <see cref="LatentsFile"/>); with
    /// the model's ONNX heads, the premise is measured and the certificate computed on those latents.
    /// </summary>
    /// <param name="analysis">The MDP's analysis.</param>
    /// <param name="path">The latents.</param>
    /// <param name="lossTarget">The near-zero target of the premise.</param>
    /// <param name="options">The collapse tolerance and limits.</param>
    /// <param name="transition">The ONNX transition model, or null.</param>
    /// <param name="auxHead">The ONNX aux head, or null.</param>
    /// <exception cref="MdpFormatException">The file cannot be read as latents of this MDP, or a head breaks the contract.</exception>
    /// <exception cref="PipelineException">More observations than the collapse analysis compares.</exception>
    /// <param name="bins">The aux head outputs logits over these two-hot bins (decoded as the expected bin, in symlog space), or null.</param>
    public static Assessment OfLatentsFile(Analysis analysis, string path, double lossTarget, CollapseOptions options, string? transition = null, string? auxHead = null, TwoHotBins? bins = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Analysis.RequireComparable(analysis.Mdp, options, withHeads: transition is not null && auxHead is not null);
        var mdp = analysis.Mdp;
        var latents = LatentsFile.Read(path, mdp);
        if (transition is null && auxHead is null)
        {
            return Run(mdp, analysis.Result, TrainingData.FromMdp(mdp), latents, null, lossTarget, options);
        }

        using var heads = OnnxJepa.Load(null, transition, auxHead, bins);
        return Run(mdp, analysis.Result, TrainingData.FromMdp(mdp), latents, heads, lossTarget, options);
    }

    /// <summary>Runs an ONNX JEPA (<see cref="OnnxJepa"/>) over the MDP and assesses it; the premise is measured when both heads are given.</summary>
    /// <param name="analysis">The MDP's analysis.</param>
    /// <param name="encoder">The encoder graph.</param>
    /// <param name="transition">The transition graph, or null.</param>
    /// <param name="auxHead">The aux head graph, or null.</param>
    /// <param name="featuresPath">A <c>.npy</c> file of the encoder's inputs, <c>[observations, features]</c> in observation order (read batch by batch), or null for the MDP's features (one-hot ids when it has none).</param>
    /// <param name="lossTarget">The near-zero target of the premise.</param>
    /// <param name="options">The collapse tolerance and limits.</param>
    /// <exception cref="MdpFormatException">A graph breaks the contract, fails, or outputs NaN/∞.</exception>
    /// <exception cref="PipelineException">More observations than the collapse analysis compares.</exception>
    /// <param name="bins">The aux head outputs logits over these two-hot bins (decoded as the expected bin, in symlog space), or null.</param>
    public static Assessment OfOnnx(Analysis analysis, string encoder, string? transition, string? auxHead, string? featuresPath, double lossTarget, CollapseOptions options, TwoHotBins? bins = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Analysis.RequireComparable(analysis.Mdp, options, withHeads: transition is not null && auxHead is not null);
        var data = TrainingData.FromMdp(analysis.Mdp);
        using var model = OnnxJepa.Load(encoder, transition, auxHead, bins);
        LatentMatrix latents;
        string? warning = null;
        if (featuresPath is null)
        {
            latents = model.Encode(data);
        }
        else
        {
            using var features = LatentsFile.OpenFeatures(featuresPath, analysis.Mdp);
            (latents, warning) = model.Encode(features, data);
        }

        var assessment = Run(analysis.Mdp, analysis.Result, data, latents, model, lossTarget, options);
        return warning is null ? assessment : assessment with { Warnings = [warning] };
    }

    private static double SquaredDistance(IReadOnlyList<float> a, int rowA, IReadOnlyList<float> b, int rowB, int dim)
    {
        double s = 0;
        for (var k = 0; k < dim; k++)
        {
            double d = a[(rowA * dim) + k] - b[(rowB * dim) + k];
            s += d * d;
        }

        return s;
    }

    private static (double? Mean, double? Max) MeanAndMax(int count, Func<int, double> value)
    {
        if (count == 0)
        {
            return (null, null);
        }

        double sum = 0, max = 0;
        for (var i = 0; i < count; i++)
        {
            var v = value(i);
            sum += v;
            max = Math.Max(max, v);
        }

        return (sum / count, max);
    }
}
