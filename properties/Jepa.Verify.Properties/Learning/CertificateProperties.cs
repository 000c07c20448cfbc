using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Testing.Generators;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for <see cref="Certificate"/>: every certified bound is at most the actual latent distance, on random MDPs with
/// random, trained and exact models; at zero residual the bound is positive exactly on the non-bisimilar pairs; and a
/// halved Lipschitz constant (an unsound certificate) is caught by the soundness check.
/// </summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class CertificateProperties
{
    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 45, EndSize = 12)]
    public Property EveryCertifiedBoundIsAtMostTheLatentDistance(CertificateCase c)
    {
        var report = Certify(c, lipschitzFactor: 1);
        var broken = report.Pairs.Where(p => p.Bound > p.Distance).ToList();
        return (broken.Count == 0).Label($"{c.Kind}: {broken.Count} bounds above their distance, e.g. {broken.FirstOrDefault()}");
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 60, EndSize = 16)]
    public Property AtZeroResidualTheBoundIsPositiveExactlyOnNonBisimilarPairs(MdpSpec spec)
    {
        var report = Certify(new CertificateCase(spec, CertificateModelKind.Quotient, 0), lipschitzFactor: 1);
        var partition = Bisimilarity.Compute(spec.Table, spec.Keys).Partition!;
        long nonBisimilar = 0;
        for (var a = 0; a < spec.States; a++)
        {
            for (var b = a + 1; b < spec.States; b++)
            {
                nonBisimilar += partition.ClassOf[a] != partition.ClassOf[b] ? 1 : 0;
            }
        }

        return (report.MaxResidualDyn is null or 0 && report.MaxResidualAux == 0 && report.NonEquivalentPairs == nonBisimilar && report.Certified)
            .Label($"residuals {report.MaxResidualDyn}, {report.MaxResidualAux}; {report.CertifiedPairs} of {report.NonEquivalentPairs} certified, {nonBisimilar} non-bisimilar");
    }

    [Fact]
    public void AHalvedLipschitzConstantIsCaughtBySoundness()
    {
        // The same generator and replay as the soundness property, exact models only: with the constants halved, some
        // bound must exceed its distance (the certificate would then claim what is false).
        var cases = LearningArbitraries.CertificateCase().Generator.Sample(10, new Rnd(PropertyRuns.DefaultSeed), 40).Select(c => c with { Kind = CertificateModelKind.Quotient }).ToList();
        var caught = cases.Count(c => Certify(c, lipschitzFactor: 0.5).Pairs.Any(p => p.Bound > p.Distance));
        Assert.True(caught > 0, "no case exposed the halved Lipschitz constants");
        Assert.DoesNotContain(cases, c => Certify(c, lipschitzFactor: 1).Pairs.Any(p => p.Bound > p.Distance));
    }

    [Fact]
    public void VarianceAtOneEndpointInsteadOfItsMinimumIsCaughtBySoundness()
    {
        // P̂ = Linear → LayerNorm → Linear, and two latents whose segment passes through the line of constant vectors near
        // its far end: the LayerNorm's output flips sign there, so P̂ differs by about 2 across a segment of length 1.43,
        // where the variance at the near end (1) would allow a slope of only 1. The certificate (local constants and
        // directional bounds) is sound; with the segment restriction dropped (the variance at one end instead of its
        // least along the segment and each piece) its bound exceeds the distance. The random LayerNorm and two-hot cases
        // of the soundness property keep their variances away from 0 and do not expose this.
        double[] z0 = [1, -1], z1 = [-0.01, 0.01];
        var auxHead = new HeadChain([HeadLayer.Affine(2, 2, [1, 0, 0, 1]), HeadLayer.Normalise([1, 1], [0, 0], 1e-5), HeadLayer.Affine(2, 1, [1, 0])]);
        var transition = new HeadChain([HeadLayer.Affine(3, 2, [1, 0, 0, 0, 1, 0])]); // T̂(z, a) = z: each observation its own successor
        var b = new MdpBuilder("layernorm segment");
        b.AddAction("stay");
        foreach (var (id, z) in new[] { ("a", z0), ("b", z1) })
        {
            var (i, _) = b.AddObservation(id);
            b.SetAux(i, AuxValue.Scalar((float)auxHead.Evaluate(z)[0]));
            b.AddTransition(i, 0, i);
        }

        var mdp = b.Build();
        var data = TrainingData.FromMdp(mdp);
        float[] latents = [.. z0.Concat(z1).Select(v => (float)v)];
        CertificateReport Run() => Certificate.Compute(latents, 2, data, data.Aux, transition, auxHead, Bisimilarity.Compute(mdp).Pairs, scale: 1, listPairs: true);
        var sound = Run().Pairs.Single();
        Assert.True(sound.Bound > 0 && sound.Bound <= sound.Distance, $"{sound}");
        SegmentBound.VarianceAtEndpoint.Value = true;
        try
        {
            var mutated = Run().Pairs.Single();
            Assert.True(mutated.Bound > mutated.Distance, $"the mutation was not caught: {mutated}");
        }
        finally
        {
            SegmentBound.VarianceAtEndpoint.Value = false;
        }
    }

    [Fact]
    public void TheSoundnessCasesExerciseTheRolloutClause()
    {
        // The soundness property checks the rollout clause's bounds only if its cases reach it: on the random and
        // trained models some pairs must be certified by a rollout where the per-step clause gave nothing.
        var cases = LearningArbitraries.CertificateCase().Generator.Sample(10, new Rnd(PropertyRuns.DefaultSeed), 40).Where(c => c.Kind != CertificateModelKind.Quotient).ToList();
        var reports = cases.Select(c => Certify(c, lipschitzFactor: 1)).ToList();
        Assert.True(reports.Sum(r => r.RolledOutPairs) > 0, "no case was certified by the rollout clause");
        Assert.DoesNotContain(reports, r => r.Pairs.Any(p => p.Bound > p.Distance));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30, EndSize = 12)]
    public Property EveryClassLevelBoundIsAtMostTheLatentDistanceAndAtMostThePairLevelsBound(CertificateCase c, bool refine, bool representatives)
    {
        // The class level forced on small MDPs (pair limit 0), with the refinement and the representatives' certificate
        // on or off: every bound still at most its distance; and without the representatives (whose residuals are measured
        // against other successors) never above the pair level's, which uses each pair's own residuals and constants.
        var classLevel = Certify(c, lipschitzFactor: 1, pairLimit: 0, refineLimit: refine ? ClassCertificate.RefineLimit : 0, representativeLimit: representatives ? ClassCertificate.RepresentativeLimit : 0);
        var pairLevel = Certify(c, lipschitzFactor: 1).Pairs.ToDictionary(p => (p.A, p.B), p => p.Bound);
        var broken = classLevel.Pairs.Where(p => p.Bound > p.Distance).ToList();
        var above = representatives ? [] : classLevel.Pairs.Where(p => p.Bound > (pairLevel[(p.A, p.B)] * (1 + 1e-5)) + 1e-12).ToList();
        return (classLevel.Level is not null && classLevel.Pairs.Length == pairLevel.Count && broken.Count == 0 && above.Count == 0)
            .Label($"{c.Kind}, refine {refine}: {broken.Count} bounds above their distance (e.g. {broken.FirstOrDefault()}), {above.Count} above the pair level's (e.g. {above.FirstOrDefault()})");
    }

    [Property(Arbitrary = new[] { typeof(MdpArbitraries) }, MaxTest = 40, EndSize = 16)]
    public Property AtZeroResidualTheClassLevelCertifiesEveryNonBisimilarPair(MdpSpec spec)
    {
        var report = Certify(new CertificateCase(spec, CertificateModelKind.Quotient, 0), lipschitzFactor: 1, pairLimit: 0, refineLimit: 0);
        return (report.Certified && report.Level!.CertifiedByClass == report.NonEquivalentPairs)
            .Label($"{report.CertifiedPairs} of {report.NonEquivalentPairs} certified, {report.Level?.CertifiedByClass} by classes");
    }

    [Fact]
    public void AHalvedLipschitzConstantIsCaughtAtTheClassLevelToo()
    {
        var cases = LearningArbitraries.CertificateCase().Generator.Sample(10, new Rnd(PropertyRuns.DefaultSeed), 40).Select(c => c with { Kind = CertificateModelKind.Quotient }).ToList();
        foreach (var representatives in new[] { 0, ClassCertificate.RepresentativeLimit })
        {
            Assert.Contains(cases, c => Certify(c, lipschitzFactor: 0.5, pairLimit: 0, representativeLimit: representatives).Pairs.Any(p => p.Bound > p.Distance));
            Assert.DoesNotContain(cases, c => Certify(c, lipschitzFactor: 1, pairLimit: 0, representativeLimit: representatives).Pairs.Any(p => p.Bound > p.Distance));
        }
    }

    /// <summary>Builds the case's model and certifies it, listing every non-equivalent pair (scale 1: absolute distances).</summary>
    internal static CertificateReport Certify(CertificateCase c, double lipschitzFactor, int pairLimit = Certificate.PairLimit, int refineLimit = ClassCertificate.RefineLimit,
        int representativeLimit = ClassCertificate.RepresentativeLimit)
    {
        var spec = c.Spec;
        var transitions = new List<Transition>();
        for (var s = 0; s < spec.States; s++)
        {
            for (var a = 0; a < spec.Actions; a++)
            {
                if (spec.Successors[(s * spec.Actions) + a] is var to and >= 0)
                {
                    transitions.Add(new Transition(s, a, to));
                }
            }
        }

        var data = TrainingData.FromArrays(spec.States, null, spec.Actions, transitions, [.. spec.Aux.Select(v => (float)v)]);
        var pairs = Bisimilarity.Compute(spec.Table, spec.Keys).Pairs;
        float[] latents;
        int dim;
        CertifiedHeads heads;
        if (c.Kind == CertificateModelKind.Quotient)
        {
            HeadChain transition, auxHead;
            (latents, dim, transition, auxHead) = Quotient(spec, Bisimilarity.Compute(spec.Table, spec.Keys).Partition!);
            heads = new CertifiedHeads(transition, auxHead);
        }
        else
        {
            var config = new PJepaConfig(Seed: (ulong)c.Seed, Steps: 300, LatentDim: 8, HiddenDim: 16);
            if (c.Kind is CertificateModelKind.LayerNorm or CertificateModelKind.TwoHot)
            {
                config = config with { Activation = ActivationKind.Mish, LayerNorm = true, TwoHot = c.Kind == CertificateModelKind.TwoHot ? new TwoHotBins(21, -3f, 3f) : null };
            }

            var model = c.Kind == CertificateModelKind.Random
                ? new PJepaModel(ModelShape.For(data, config, data.AuxDim))
                : PJepaTrainer.Train(data, config).Model;
            latents = model.EncodeAll(data);
            dim = config.LatentDim;
            heads = Separation.HeadsOf(model).Heads!;
        }

        return Certificate.Compute(latents, dim, data, heads.Targets(data.Aux), heads.Transition, heads.AuxHead, pairs, scale: 1, listPairs: true, requiredResidual: true, lipschitzFactor, pairLimit, representativeLimit, refineLimit);
    }

    /// <summary>One-hot class latents; T̂ a ReLU layer with one unit per (class, action) firing only on that pair; P̂ affine.</summary>
    private static (float[] Latents, int Dim, HeadChain Transition, HeadChain AuxHead) Quotient(MdpSpec spec, Partition partition)
    {
        var (k, actions) = (partition.Count, spec.Actions);
        var latents = new float[spec.States * k];
        for (var s = 0; s < spec.States; s++)
        {
            latents[(s * k) + partition.ClassOf[s]] = 1;
        }

        var representative = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, spec.States).First(s => partition.ClassOf[s] == c)).ToArray();
        var w1 = new double[k * actions * (k + actions)];
        var w2 = new double[k * k * actions];
        for (var c = 0; c < k; c++)
        {
            for (var a = 0; a < actions; a++)
            {
                var unit = (c * actions) + a;
                w1[(unit * (k + actions)) + c] = 1;
                w1[(unit * (k + actions)) + k + a] = 1;
                if (spec.Successors[(representative[c] * actions) + a] is var to and >= 0)
                {
                    w2[(partition.ClassOf[to] * k * actions) + unit] = 1;
                }
            }
        }

        var transition = new HeadChain([
            HeadLayer.Affine(k + actions, k * actions, w1, [.. Enumerable.Repeat(-1.0, k * actions)]),
            HeadLayer.Elementwise(k * actions, ActivationKind.Relu),
            HeadLayer.Affine(k * actions, k, w2),
        ]);
        // P̂(z) = w·z + b with b the midpoint of the aux range: exact on the one-hot latents, and as tight as a linear head
        // can be on the pair with the extreme aux values (so an understated L_P shows).
        var values = representative.Select(s => (double)(float)spec.Aux[s]).ToArray();
        var bias = (values.Min() + values.Max()) / 2;
        var auxHead = new HeadChain([HeadLayer.Affine(k, 1, [.. values.Select(v => v - bias)], [bias])]);
        return (latents, k, transition, auxHead);
    }
}
