using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Bisimulation;
using Certifier = Jepa.Verify.Learning.Certify.Certificate;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// What a model's latents show about the theorem: the tolerance-based collapse analysis and, when the heads have a sound
/// Lipschitz bound, the certificate (<see cref="Certifier"/>); together, the verdict.
/// </summary>
/// <param name="Collapse">The collapse analysis.</param>
/// <param name="Certificate">The certificate, or null when there is none.</param>
/// <param name="NoCertificate">Why there is no certificate (latents alone, an op without a bound, too many observations), or null.</param>
/// <param name="HeadsGiven">
/// Whether heads were given, so a certificate was asked for: then a missing one (heads without a bound, too many
/// observations) is inconclusive, never a pass — less information never gives a greener verdict.
/// </param>
public sealed record Separation(CollapseReport Collapse, CertificateReport? Certificate, string? NoCertificate, bool HeadsGiven = false)
{
    /// <summary>Collapsed (a non-equivalent pair within the tolerance) outranks everything; then certified, else apart.</summary>
    public SeparationVerdict Verdict =>
        !Collapse.Separated ? SeparationVerdict.Collapsed
        : Certificate is { Certified: true } ? SeparationVerdict.Certified
        : SeparationVerdict.Apart;

    /// <summary>
    /// The loss-target form of the theorem on these latents: with the premise (both losses below the target), every
    /// non-equivalent pair is apart. The one definition <see cref="TrainingRun.TheoremHolds"/> and
    /// <see cref="Assessment.TheoremHolds"/> share.
    /// </summary>
    public bool TheoremHoldsGiven(bool premise) => premise && Collapse.Separated;

    /// <summary>The space the certificate measured aux values in when not the aux itself (<c>symlog</c> for a two-hot head), or null.</summary>
    public string? AuxSpace { get; init; }

    /// <summary>The exit code under the default requirement (<see cref="Requirement.Default"/>): certified when heads were given, apart otherwise.</summary>
    public int ExitCode => ExitCodeUnder(null);

    /// <summary>
    /// 0 when <paramref name="requirement"/> is met, 1 collapsed, 3 apart but short of it — including heads that gave no
    /// certificate (an op without a bound) and latents alone under <c>certified</c>: less information
    /// never passes where more could fail.
    /// </summary>
    /// <param name="requirement">What must hold; null for the default.</param>
    public int ExitCodeUnder(Requirement? requirement) =>
        Verdict == SeparationVerdict.Collapsed ? ExitCodes.CheckFailed
        : Meets(requirement ?? Requirement.Default(HeadsGiven)) ? ExitCodes.Ok
        : ExitCodes.Inconclusive;

    /// <summary>Whether the latents are apart and enough pairs are certified for <paramref name="requirement"/>.</summary>
    public bool Meets(Requirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        var needed = requirement.CertifiedFraction;
        return Verdict != SeparationVerdict.Collapsed
            && (needed <= 0 || (Certificate is { } c && (c.Certified || (double)c.CertifiedPairs / c.NonEquivalentPairs >= needed)));
    }

    /// <summary>The fraction of non-equivalent pairs certified (1 when there are none), or null without a certificate.</summary>
    public double? CertifiedFraction => Certificate is { } c ? (c.NonEquivalentPairs == 0 ? 1 : (double)c.CertifiedPairs / c.NonEquivalentPairs) : null;

    /// <summary>The verdict in words: <c>certified</c>, <c>apart, not certified</c>, <c>apart (no certificate: …)</c> or <c>collapsed</c>.</summary>
    public string VerdictText => Verdict switch
    {
        SeparationVerdict.Collapsed => "collapsed",
        SeparationVerdict.Certified => "certified",
        _ when Certificate is not null => "apart, not certified",
        _ => $"apart (no certificate: {NoCertificate})",
    };

    /// <summary>The verdict as a JSON value: <c>certified</c>, <c>apart</c> or <c>collapsed</c>.</summary>
    public string VerdictKey => Verdict.ToString().ToLowerInvariant();

    /// <summary>Analyses <paramref name="latents"/> and certifies them with <paramref name="heads"/> when given.</summary>
    /// <param name="latents">Row-major <c>[observations × latentDim]</c>.</param>
    /// <param name="latentDim">The latent dimension.</param>
    /// <param name="data">The transitions.</param>
    /// <param name="auxTargets">The aux values the model was trained on.</param>
    /// <param name="heads">
    /// Reads T̂ and P̂ as chains (or says why it cannot), called only once a certificate is possible (not too many
    /// observations, finite latents), so that no head is read or checked for nothing; null when there are no heads
    /// (then <paramref name="noHeads"/> says why).
    /// </param>
    /// <param name="noHeads">Why there are no heads to certify with.</param>
    /// <param name="pairs">Which pairs must be apart.</param>
    /// <param name="labels">Labels for purity figures.</param>
    /// <param name="options">Tolerance, limits, and whether to list every pair.</param>
    /// <param name="requiredResidual">Whether the certificate searches the required residual.</param>
    /// <param name="directional">Whether the certificate may spend a forward pass per pair on directional bounds (training's stop test does not).</param>
    public static Separation Of(IReadOnlyList<float> latents, int latentDim, TrainingData data, IReadOnlyList<float> auxTargets,
        Func<(CertifiedHeads? Heads, string? Why)>? heads, string? noHeads, IDistinguishedPairs pairs,
        IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableArray<string?>>? labels, CollapseOptions options, bool requiredResidual = true, bool directional = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pairs);
        // The certificate comes first: above Certificate.PairLimit observations its class-level bounds let the collapse
        // analysis skip the class pairs it has put apart (the analysis's figures are the same).
        var (certificate, why, auxSpace) = heads is null ? (null, noHeads ?? "no transition model and aux head were given", null) : Certify(latents, latentDim, data, auxTargets, heads, pairs, options, requiredResidual, directional);
        var bounds = certificate?.Level?.Bounds;
        if (bounds is null && data.Observations > options.MaxObservations)
        {
            throw new PipelineException($"{data.Observations} observations: the collapse analysis compares all pairs up to {options.MaxObservations}; above that it skips the pairs a class-level certificate puts apart, and there is none ({why})");
        }

        var collapse = CollapseAnalysis.Analyze(latents, latentDim, pairs, labels, options, bounds);
        return new Separation(collapse, certificate, why, HeadsGiven: heads is not null) { AuxSpace = auxSpace };
    }

    private static (CertificateReport? Certificate, string? Why, string? AuxSpace) Certify(IReadOnlyList<float> latents, int latentDim, TrainingData data,
        IReadOnlyList<float> auxTargets, Func<(CertifiedHeads? Heads, string? Why)> heads, IDistinguishedPairs pairs, CollapseOptions options, bool requiredResidual, bool directional)
    {
        if (data.Observations > Certifier.PairLimit && pairs.Classes is null)
        {
            return (null, $"{data.Observations} observations; above {Certifier.PairLimit} the certificate bounds pairs of bisimulation classes, which needs a partition (a complete MDP, or --missing sink)", null);
        }

        if (data.Observations > Certifier.PairLimit && pairs.Classes!.Value.Take(data.Observations).Max() + 1 is var count && count > Certifier.MaxClasses)
        {
            return (null, $"{data.Observations} observations in {count} bisimulation classes; above {Certifier.PairLimit} observations the certificate bounds pairs of classes and is limited to {Certifier.MaxClasses} classes", null);
        }

        if (latents.Any(v => !float.IsFinite(v)))
        {
            return (null, "the latents are not all finite", null);
        }

        var (read, why) = heads();
        if (read is null)
        {
            return (null, why ?? "the heads could not be read", null);
        }

        var scale = CollapseAnalysis.RmsNorm(latents, latentDim);
        return (Certifier.Compute(latents, latentDim, data, read.Targets(auxTargets), read.Transition, read.AuxHead, pairs, scale, options.ListPairs, requiredResidual, directional), null, read.AuxTargetName);
    }

    /// <summary>
    /// The heads of one of our models as chains (every layer has a bound). A two-hot aux head outputs logits over bins; its
    /// chain ends with their softmax expectation, the expected bin, which predicts <c>clamp(symlog(p))</c>: the certificate
    /// measures its aux gaps and residuals in that space.
    /// </summary>
    public static (CertifiedHeads? Heads, string? Why) HeadsOf(PJepaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var transition = HeadChain.FromModule(model.Transition);
        if (model.Shape.TwoHot is not { } bins)
        {
            return (new CertifiedHeads(transition, HeadChain.FromModule(model.AuxHead)), null);
        }

        return (CertifiedHeads.TwoHot(transition, HeadChain.FromModule(model.AuxHead), bins), null);
    }
}
