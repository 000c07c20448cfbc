using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="HeadChain"/>'s Lipschitz bounds and for <see cref="Certificate"/> on hand-computed cases.</summary>
public sealed class CertificateTests
{
    [Fact]
    public void AnAffineLayersBoundIsItsSpectralNormRoundedUpAndCountsOnlyTheLatentColumns()
    {
        // W = [[3, 0, 5], [0, 1, 5]]: the first two columns have spectral norm 3; with the third, more.
        var chain = new HeadChain([HeadLayer.Affine(3, 2, [3, 0, 5, 0, 1, 5])]);
        var latentOnly = chain.Lipschitz(2);
        Assert.InRange(latentOnly, 3, 3 * (1 + 1e-9));
        Assert.True(chain.Lipschitz(3) > 7);
    }

    [Fact]
    public void ActivationsAndLayerNormContributeTheirStatedConstants()
    {
        var affine = HeadLayer.Affine(2, 2, [2, 0, 0, 2]);
        Assert.InRange(new HeadChain([affine, HeadLayer.Elementwise(2, ActivationKind.Mish)]).Lipschitz(2), 2 * 1.1, 2 * 1.1 * (1 + 1e-9));
        Assert.InRange(new HeadChain([affine, HeadLayer.Elementwise(2, ActivationKind.Tanh)]).Lipschitz(2), 2, 2 * (1 + 1e-9));

        // LayerNorm: max|γ| / √ε.
        var norm = new HeadChain([HeadLayer.Normalise([0.5, -2], [0, 0], 1e-4)]);
        Assert.InRange(norm.Lipschitz(2), 200, 200 * (1 + 1e-9));
    }

    [Fact]
    public void TheAveragedActivationBoundIsExactForTheAbsoluteValueWhereTheProductIsTwiceTooLarge()
    {
        // |x| = relu(x) + relu(−x): W₁ = [1, −1]ᵀ, W₂ = [1, 1]. The product of norms is √2·√2 = 2; the averaged bound
        // (‖W₂W₁‖ + ‖W₂‖‖W₁‖)/2 = (0 + 2)/2 = 1, the true constant.
        var chain = new HeadChain([HeadLayer.Affine(1, 2, [1, -1]), HeadLayer.Elementwise(2, ActivationKind.Relu), HeadLayer.Affine(2, 1, [1, 1])]);
        Assert.InRange(chain.ProductBound([0]), 2, 2 * (1 + 1e-9));
        Assert.InRange(chain.Lipschitz(1), 1, 1 + 1e-9);

        // With Mish between them the slopes lie in [−0.12, 1.1]: (0.49·0 + 0.61·2) = 1.22, against 1.1·2 = 2.2.
        var mish = new HeadChain([HeadLayer.Affine(1, 2, [1, -1]), HeadLayer.Elementwise(2, ActivationKind.Mish), HeadLayer.Affine(2, 1, [1, 1])]);
        Assert.InRange(mish.Lipschitz(1), 1.22, 1.22 + 1e-9);
        Assert.InRange(mish.ProductBound([0]), 2.2, 2.2 + 1e-9);
    }

    [Fact]
    public void TheAveragedBoundNeverExceedsTheProductAndHoldsOnRandomChains()
    {
        // Three affine layers (four runs of c·I / r·S choices), a layer normalisation, and a trailing activation:
        // the bound is at most the product, and no pair of random points is stretched beyond it.
        var random = new Random(5);
        double[] Weights(int n) => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)];
        foreach (var kind in new[] { ActivationKind.Relu, ActivationKind.Tanh, ActivationKind.Mish })
        {
            var chain = new HeadChain([
                HeadLayer.Affine(4, 6, Weights(24), Weights(6)), HeadLayer.Elementwise(6, kind),
                HeadLayer.Affine(6, 5, Weights(30), Weights(5)), HeadLayer.Elementwise(5, kind),
                HeadLayer.Affine(5, 3, Weights(15), Weights(3)), HeadLayer.Normalise([0.9, -1.1, 1], [0, 0.1, 0], 0.5),
                HeadLayer.Affine(3, 2, Weights(6)), HeadLayer.Elementwise(2, kind)]);
            var bound = chain.Lipschitz(3);
            Assert.True(chain.AveragedBound([0, 1, 2]) <= chain.ProductBound([0, 1, 2]) * (1 + 1e-9), $"{kind}: {chain.AveragedBound([0, 1, 2])} > {chain.ProductBound([0, 1, 2])}");
            for (var t = 0; t < 2000; t++)
            {
                var x = Weights(4);
                var y = (double[])x.Clone();
                for (var i = 0; i < 3; i++)
                {
                    y[i] += (random.NextDouble() - 0.5) * 0.01; // the fourth input is held fixed
                }

                var gap = Math.Sqrt(chain.Evaluate(x).Zip(chain.Evaluate(y), (a, b) => (a - b) * (a - b)).Sum());
                var distance = Math.Sqrt(x.Zip(y, (a, b) => (a - b) * (a - b)).Sum());
                Assert.True(gap <= bound * distance, $"{kind}: {gap} > {bound} · {distance}");
            }
        }
    }

    [Theory]
    [InlineData(HeadActivation.Silu, 0.0, -0.0999, 1.0999)]
    [InlineData(HeadActivation.GeluErf, 0.0, -0.1290, 1.1290)]
    [InlineData(HeadActivation.GeluTanh, 0.0, -0.1290, 1.1290)]
    [InlineData(HeadActivation.Sigmoid, 0.0, 0.0, 0.25)]
    [InlineData(HeadActivation.Softplus, 0.0, 0.0, 1.0)]
    [InlineData(HeadActivation.Tanh, 0.0, 0.0, 1.0)]
    [InlineData(HeadActivation.LeakyRelu, 0.01, 0.01, 1.0)]
    [InlineData(HeadActivation.Elu, 1.0, 0.0, 1.0)]
    [InlineData(HeadActivation.Elu, 2.0, 0.0, 2.0)]
    public void EveryActivationsSlopeLiesInItsRangeOnAFineGrid(HeadActivation kind, double alpha, double expectMin, double expectMax)
    {
        // Slopes by central differences (h = 1e-6, error ~1e-10 for these smooth functions away from 0, where ReLU-like
        // kinks are exactly at a grid point and are skipped) on a grid of 1e-4 over [−20, 20]; |f″| ≤ 1 for every one
        // here, so the grid misses an extreme by at most 1e-4, within each range's rounding margin.
        var (lo, hi) = HeadChain.DerivativeRange(kind, alpha);
        double min = double.MaxValue, max = double.MinValue;
        for (var i = -200_000; i <= 200_000; i++)
        {
            var x = i * 1e-4;
            if (i == 0)
            {
                continue;
            }

            var slope = (HeadChain.Activate(kind, x + 1e-6, alpha) - HeadChain.Activate(kind, x - 1e-6, alpha)) / 2e-6;
            (min, max) = (Math.Min(min, slope), Math.Max(max, slope));
        }

        Assert.InRange(min, expectMin - 2e-3, expectMin + 2e-3);
        Assert.InRange(max, expectMax - 2e-3, expectMax + 2e-3);
        // Rounded ranges keep a margin of the grid's miss; exact ones (ReLU-like, sigmoid, softplus) hold to the differences' error.
        var margin = kind is HeadActivation.Silu or HeadActivation.GeluErf or HeadActivation.GeluTanh ? 1e-4 : -1e-6;
        Assert.True(min - margin >= lo, $"{kind}: slope {min} below the range's {lo}");
        Assert.True(max + margin <= hi, $"{kind}: slope {max} above the range's {hi}");
    }

    [Fact]
    public void MishsConstantBoundsItsDerivativeEverywhere()
    {
        // mish′(x) = tanh(sp) + x·sech²(sp)·σ(x); |mish″| ≤ 0.65, so a grid of 1e-4 misses at most 1e-4 of the maximum.
        static double Derivative(double x)
        {
            var sp = Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            var t = Math.Tanh(sp);
            return t + (x * (1 - (t * t)) / (1 + Math.Exp(-x)));
        }

        double max = 0;
        double min = 0;
        for (var i = -200_000; i <= 200_000; i++)
        {
            max = Math.Max(max, Math.Abs(Derivative(i * 1e-4)));
            min = Math.Min(min, Derivative(i * 1e-4));
        }

        Assert.InRange(max, 1.088, 1.089);
        Assert.True(max + 1e-4 < HeadChain.MishConstant);
        Assert.InRange(min, -0.113, -0.112);
        Assert.True(min - 1e-4 > HeadChain.MishDerivativeMin);
        Assert.Equal((HeadChain.MishDerivativeMin, HeadChain.MishConstant), HeadChain.DerivativeRange(HeadActivation.Mish));
        Assert.InRange(Derivative(20), 1 - 1e-8, 1 + 1e-8);
        Assert.InRange(Derivative(-20), -1e-6, 1e-6);
    }

    [Fact]
    public void TheChainEvaluatesOurModulesAsTheirForwardPass()
    {
        var model = new PJepaModel(new ModelShape(4, 2, 1, 3, 8, 1, ActivationKind.Mish, true, 7));
        var chain = HeadChain.FromModule(model.AuxHead);
        var z = new float[] { 0.3f, -1.2f, 0.8f };
        using var _ = Autograd.GradMode.NoGrad();
        var expected = model.PredictAux(Tensors.Tensor.FromArray(z, 1, 3)).Data[0];
        Assert.Equal(expected, chain.Evaluate([.. z.Select(v => (double)v)])[0], 5);
    }

    [Fact]
    public void TwoStatesWithDifferentAuxGetTheBoundTheirGapAndResidualsAllow()
    {
        // x, y with aux 0 and 1; one action, each a self-loop. Latents 0 and 2 (d = 2); P̂(z) = z/2 (L_P = 1/2, exact);
        // T̂(z) = z (L_T = 1, exact). The bound is the aux gap / L_P = 2: tight, and certified.
        var data = TrainingData.FromArrays(2, null, 1, [new Transition(0, 0, 0), new Transition(1, 0, 1)], [0f, 1f]);
        var transition = new HeadChain([HeadLayer.Affine(2, 1, [1, 0])]);
        var auxHead = new HeadChain([HeadLayer.Affine(1, 1, [0.5])]);
        var pairs = Partition.FromLabels([0, 1]);
        var c = Certificate.Compute([0f, 2f], 1, data, data.Aux, transition, auxHead, pairs, scale: 1, listPairs: true);
        Assert.True(c.Certified);
        Assert.Equal(0, c.MaxResidualDyn);
        Assert.Equal(0, c.MaxResidualAux);
        var pair = Assert.Single(c.Pairs);
        Assert.Equal(2, pair.Distance);
        Assert.InRange(pair.Bound, 2 * (1 - 1e-9), 2);

        // Every residual below the required one certifies: here ε < gap / 2 = 0.5 (a one-step word only adds to the denominator).
        Assert.InRange(c.RequiredResidual!.Value, 0.5 * (1 - 1e-6), 0.5);
    }

    [Fact]
    public void RepeatedObservationsKeepTheirRepresentativesDirectionalBounds()
    {
        // Nine states with distinct aux values, each seen 12 times with the same latent (a replay buffer of 108 frames),
        // P̂ = Linear → LayerNorm → Mish → Linear, 256 wide, with aux = P̂ exactly, T̂ the identity. Alone, the nine get
        // directional bounds; the 108 have too many pairs for them (5,778 pairs: no 8 pieces fit the budget) and would keep
        // only the LayerNorm factor. Through the representatives every member pair keeps its class pair's bound (radius 0);
        // one copy of each moved by 0.05 in each coordinate (radius 0.1, and an aux residual) keeps it less the radii; every
        // bound stays below its distance.
        var random = new SeededRandom(41);
        var auxHead = new HeadChain([
            HeadLayer.Affine(4, 256, [.. Enumerable.Range(0, 4 * 256).Select(_ => random.NextGaussian() / 2)], [.. Enumerable.Range(0, 256).Select(_ => random.NextGaussian() * 0.1)]),
            HeadLayer.Affine(256, 256, [.. Enumerable.Range(0, 256 * 256).Select(_ => random.NextGaussian() / 16)]),
            HeadLayer.Normalise([.. Enumerable.Repeat(1.0, 256)], [.. Enumerable.Repeat(0.0, 256)], 1e-5),
            HeadLayer.Elementwise(256, HeadActivation.Mish),
            HeadLayer.Affine(256, 1, [.. Enumerable.Range(0, 256).Select(_ => random.NextGaussian() / 16)]),
        ]);
        var transition = new HeadChain([HeadLayer.Affine(5, 4, [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])]);
        var states = Enumerable.Range(0, 9).Select(_ => Enumerable.Range(0, 4).Select(_ => random.NextGaussian()).ToArray()).ToArray();
        var aux = states.Select(z => (float)auxHead.Evaluate(z)[0]).ToArray();
        CertificateReport Certify(int copies, double shift)
        {
            var n = 9 * copies;
            var data = TrainingData.FromArrays(n, null, 1, [.. Enumerable.Range(0, n).Select(o => new Transition(o, 0, o))], [.. Enumerable.Range(0, n).Select(o => aux[o % 9])]);
            float[] latents = [.. Enumerable.Range(0, n).SelectMany(o => states[o % 9].Select(v => (float)(v + (o / 9 == 1 ? shift : 0))))];
            return Certificate.Compute(latents, 4, data, data.Aux, transition, auxHead, Partition.FromLabels([.. Enumerable.Range(0, n).Select(o => o % 9)]), scale: 1, listPairs: true);
        }

        var single = Certify(1, 0).Pairs.ToDictionary(p => (p.A, p.B), p => p.Bound);
        foreach (var shift in new[] { 0.0, 0.05 })
        {
            var replay = Certify(12, shift);
            Assert.True(replay.Certified);
            foreach (var pair in replay.Pairs)
            {
                var (ca, cb) = (Math.Min(pair.A % 9, pair.B % 9), Math.Max(pair.A % 9, pair.B % 9));
                var floor = (single[(ca, cb)] * (1 - 1e-6)) - (2 * 2 * shift * 1.0001);
                Assert.True(pair.Bound >= floor && pair.Bound <= pair.Distance, $"shift {shift}: {pair} against {floor}");
            }
        }
    }

    [Fact]
    public void ABoundPropagatesBackwardsThroughTheTransitionClause()
    {
        // a → b → c (c loops), aux 0, 0, 1: only a step separates a from b. Latents a = 0, b = 1, c = 3 and
        // T̂(z) = 2z + 1 (L_T = 2): T̂(0) = 1 = b and T̂(1) = 3 = c exactly; T̂(3) = 7, a residual of 4 on c's loop.
        // P̂(z) = z/3 (L_P = 1/3): exact at a (0) and c (1); at b it says 1/3 instead of 0.
        var data = TrainingData.FromArrays(3, null, 1, [new Transition(0, 0, 1), new Transition(1, 0, 2), new Transition(2, 0, 2)], [0f, 0f, 1f]);
        var transition = new HeadChain([HeadLayer.Affine(2, 1, [2, 0], [1])]);
        var auxHead = new HeadChain([HeadLayer.Affine(1, 1, [1.0 / 3])]);
        var c = Certificate.Compute([0f, 1f, 3f], 1, data, data.Aux, transition, auxHead, Partition.FromLabels([0, 1, 2]), scale: 1, listPairs: true);

        // (b, c): aux gap 1, e_P(b) = 1/3, e_P(c) = 0, so the bound is (1 − 1/3)/(1/3) = 2 = d (their successors coincide).
        var bc = c.Pairs.Single(p => p.A == 1 && p.B == 2);
        Assert.InRange(bc.Bound, 2 * (1 - 1e-9), 2);

        // (a, b): same aux, so only the step a → b, b → c counts: (B(b, c) − e_T(a) − e_T(b)) / L_T = (2 − 0 − 0) / 2 = 1 = d.
        var ab = c.Pairs.Single(p => p.A == 0 && p.B == 1);
        Assert.InRange(ab.Bound, 1 * (1 - 1e-9), 1);
        Assert.All(c.Pairs, p => Assert.True(p.Bound <= p.Distance));
    }

    [Fact]
    public void TheRolloutClauseCertifiesAPairWhoseStepResidualsCancelInTheAuxHead()
    {
        // x and y (aux 0) step to u (aux 0) and v (aux 1), which loop. Latents x = (0, 0.6), y = (1, 0.6), u = (0, 0),
        // v = (1, 0); T̂(z) = z (L_T = 1) and P̂(z) = z₁ (L_P = 1). The steps x → u and y → v miss by 0.6 each, in the
        // coordinate P̂ ignores. Per step: B(x, y) = B(u, v) − 0.6 − 0.6 = 1 − 1.2 < 0, nothing. Rolled out:
        // P̂(T̂(x)) = 0 = p(u) and P̂(T̂(y)) = 1 = p(v) exactly, so B(x, y) = (1 − 0 − 0) / (L_P·L_T) = 1 = d(x, y).
        var data = TrainingData.FromArrays(4, null, 1, [new Transition(0, 0, 2), new Transition(1, 0, 3), new Transition(2, 0, 2), new Transition(3, 0, 3)], [0f, 0f, 0f, 1f]);
        var transition = new HeadChain([HeadLayer.Affine(3, 2, [1, 0, 0, 0, 1, 0])]);
        var auxHead = new HeadChain([HeadLayer.Affine(2, 1, [1, 0])]);
        var c = Certificate.Compute([0f, 0.6f, 1f, 0.6f, 0f, 0f, 1f, 0f], 2, data, data.Aux, transition, auxHead, Partition.FromLabels([0, 1, 0, 2]), scale: 1, listPairs: true);

        var xy = c.Pairs.Single(p => p.A == 0 && p.B == 1);
        Assert.Equal(1, xy.Distance);
        Assert.InRange(xy.Bound, 1 - 1e-7, 1);
        Assert.Equal(1, c.RolledOutPairs);

        // (y, u) needs the step too. The per-step clause gives B(v, u) − e_T(y) − e_T(u) = 1 − 0.6 − 0 = 0.4, less than half
        // the distance √(1 + 0.36), so the rollout with local constants is tried as well: F = P̂∘T̂ is the first coordinate,
        // whose derivative along y–u is 1/‖y − u‖, and the rollout hits p exactly, so the bound is the distance itself.
        var yu = c.Pairs.Single(p => p.A == 1 && p.B == 2);
        Assert.Equal(Math.Sqrt(1.36), yu.Distance, 6);
        Assert.InRange(yu.Bound, yu.Distance * (1 - 1e-7), yu.Distance);
        var perStep = Certificate.Compute([0f, 0.6f, 1f, 0.6f, 0f, 0f, 1f, 0f], 2, data, data.Aux, transition, auxHead, Partition.FromLabels([0, 1, 0, 2]), scale: 1, listPairs: true, directional: false);
        Assert.InRange(perStep.Pairs.Single(p => p.A == 1 && p.B == 2).Bound, 0.4 * (1 - 1e-7), 0.4 * (1 + 1e-7));

        // (y, v) differ in aux, but P̂(y) = 1 misses p(y) = 0 by the whole gap, and they step to the same v: no bound.
        Assert.Equal(0, c.Pairs.Single(p => p.A == 1 && p.B == 3).Bound);
        Assert.False(c.Certified);
        Assert.All(c.Pairs, p => Assert.True(p.Bound <= p.Distance));
    }
}
