using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="HeadGraph"/>: its evaluation and the soundness and tightness of its composed Lipschitz bound.</summary>
public sealed class HeadGraphTests
{
    private static HeadLayer Affine(SeededRandom random, int inputs, int outputs) =>
        HeadLayer.Affine(inputs, outputs, [.. Enumerable.Range(0, inputs * outputs).Select(_ => random.NextGaussian() / Math.Sqrt(inputs))],
            [.. Enumerable.Range(0, outputs).Select(_ => random.NextGaussian() * 0.1)]);

    /// <summary>A residual transition z + MLP(concat(z, embed(a))) over the input [z (d), one-hot a (k)], with the given activation.</summary>
    private static HeadGraph Residual(SeededRandom random, int d, int k, HeadActivation activation)
    {
        var mlp = new HeadChain([Affine(random, d + 3, 12), HeadLayer.Elementwise(12, activation, 0.1), Affine(random, 12, d)]);
        return new HeadGraph(d + k,
        [
            new HeadGraph.Slice(0, d),
            new HeadGraph.Slice(d, k),
            new HeadGraph.Apply(1, new HeadChain([Affine(random, k, 3)])),
            new HeadGraph.Join([0, 2], d + 3),
            new HeadGraph.Apply(3, mlp),
            new HeadGraph.Sum(0, 4, 1, d),
        ]);
    }

    [Theory]
    [InlineData(HeadActivation.Relu)]
    [InlineData(HeadActivation.GeluErf)]
    [InlineData(HeadActivation.Silu)]
    [InlineData(HeadActivation.LeakyRelu)]
    [InlineData(HeadActivation.Mish)]
    public void TheComposedBoundHoldsOnRandomPairsForAFixedAction(HeadActivation activation)
    {
        // 200 random graphs, 50 pairs each: ‖G(z, a) − G(z′, a)‖ ≤ L·‖z − z′‖ with L the bound over the latent columns.
        var random = new SeededRandom(7);
        const int d = 4, k = 3;
        for (var g = 0; g < 200; g++)
        {
            IHead graph = Residual(random, d, k, activation);
            var bound = graph.Lipschitz(d);
            for (var p = 0; p < 50; p++)
            {
                var a = (int)(random.NextDouble() * k);
                double[] z = [.. Enumerable.Range(0, d).Select(_ => random.NextGaussian() * 3)];
                double[] w = [.. z.Select(v => v + (random.NextGaussian() * (p % 2 == 0 ? 1e-3 : 2)))];
                var (gz, gw) = (graph.EvaluateTransition(z, a, k), graph.EvaluateTransition(w, a, k));
                var output = Math.Sqrt(gz.Zip(gw, (x, y) => (x - y) * (x - y)).Sum());
                var input = Math.Sqrt(z.Zip(w, (x, y) => (x - y) * (x - y)).Sum());
                Assert.True(output <= (bound * input) + 1e-12, $"graph {g}, pair {p}: {output} > {bound} × {input}");
            }
        }
    }

    [Fact]
    public void AGraphThatIsOneChainGetsTheChainsBoundAndValues()
    {
        var random = new SeededRandom(3);
        var chain = new HeadChain([Affine(random, 6, 8), HeadLayer.Elementwise(8, HeadActivation.Relu), Affine(random, 8, 4)]);
        var graph = new HeadGraph(6, [new HeadGraph.Slice(0, 6), new HeadGraph.Apply(0, chain)]);
        Assert.Equal(chain.Lipschitz(4), graph.Lipschitz(4), 1e-9);
        double[] x = [1, -2, 0.5, 3, 1, 0];
        Assert.Equal(chain.Evaluate(x), graph.Evaluate(x));
    }

    [Fact]
    public void SumsAddConcatenationsTakeTheRootOfSquaresAndTheActionAloneIsConstant()
    {
        var scale = (double s, int n) => new HeadChain([HeadLayer.Affine(n, n, [.. Enumerable.Range(0, n * n).Select(i => i % (n + 1) == 0 ? s : 0.0)])]);
        // [z (2), a (2)]: 3z + 4z = 7z; concat(3z, 4z) has constant 5; a function of the action alone has constant 0.
        var sum = new HeadGraph(4, [new HeadGraph.Slice(0, 2), new HeadGraph.Apply(0, scale(3, 2)), new HeadGraph.Apply(0, scale(4, 2)), new HeadGraph.Sum(1, 2, 1, 2)]);
        var join = new HeadGraph(4, [new HeadGraph.Slice(0, 2), new HeadGraph.Apply(0, scale(3, 2)), new HeadGraph.Apply(0, scale(4, 2)), new HeadGraph.Join([1, 2], 4)]);
        var action = new HeadGraph(4, [new HeadGraph.Slice(2, 2), new HeadGraph.Apply(0, scale(9, 2))]);
        Assert.InRange(sum.Lipschitz(2), 7, 7 * (1 + 1e-9));
        Assert.InRange(join.Lipschitz(2), 5, 5 * (1 + 1e-9));
        Assert.Equal(0, action.Lipschitz(2));
        Assert.Throws<ArgumentException>(() => new HeadGraph(4, [new HeadGraph.Slice(0, 2), new HeadGraph.Sum(0, 1, 1, 2)]));
    }

    [Fact]
    public void AChainThatStartsWithALayerNormCountsEveryColumn()
    {
        // LayerNorm mixes its inputs: a fixed input column still moves the output once a latent column moves, so the
        // first affine layer after it is not restricted to the latent columns.
        var random = new SeededRandom(5);
        var chain = new HeadChain([HeadLayer.Normalise([1, 1, 1, 1], [0, 0, 0, 0], 1e-5), Affine(random, 4, 2)]);
        var restricted = new HeadChain([Affine(random, 4, 2)]);
        Assert.True(chain.Lipschitz(2) >= chain.Lipschitz(4) * (1 - 1e-12), "the bound over 2 of 4 columns after a LayerNorm is the bound over all 4");
        Assert.True(restricted.Lipschitz(2) <= restricted.Lipschitz(4));
    }

    [Fact]
    public void ASoftmaxExpectationsBoundHoldsOnRandomPairs()
    {
        // A two-hot decoding Σ softmax(ℓ)ᵢ·bᵢ after an affine map: ‖Δv‖ ≤ (max b − min b)/2 · ‖W‖ · ‖Δz‖, on 2,000 pairs,
        // some near the bins' sharpest softmax (large logits) and some tiny steps where the gradient bound is tight.
        var random = new SeededRandom(11);
        for (var g = 0; g < 40; g++)
        {
            double[] bins = [.. Enumerable.Range(0, 9).Select(i => (i - 4) * (0.5 + random.NextDouble()))];
            var chain = new HeadChain([Affine(random, 3, 9), HeadLayer.SoftmaxExpectation(bins)]);
            var bound = chain.Lipschitz(3);
            for (var p = 0; p < 50; p++)
            {
                var scale = p % 3 == 0 ? 20 : 1;
                double[] z = [.. Enumerable.Range(0, 3).Select(_ => random.NextGaussian() * scale)];
                double[] w = [.. z.Select(v => v + (random.NextGaussian() * (p % 2 == 0 ? 1e-4 : 1)))];
                var output = Math.Abs(chain.Evaluate(z)[0] - chain.Evaluate(w)[0]);
                var input = Math.Sqrt(z.Zip(w, (x, y) => (x - y) * (x - y)).Sum());
                Assert.True(output <= (bound * input) + 1e-12, $"chain {g}, pair {p}: {output} > {bound} × {input}");
            }
        }
    }

    [Fact]
    public void TheLocalLayerNormBoundHoldsAlongEverySegmentAndAnEndpointsVarianceWouldNot()
    {
        // Affine → LayerNorm → Mish → Affine, as TD-MPC2's heads. For random segments (some through a point where the
        // LayerNorm's input has almost no variance), every pair of points on the segment obeys the local constant; the
        // constant taken from an endpoint's variance instead of the minimum is broken on some segment.
        var random = new SeededRandom(13);
        var brokenByEndpoint = 0;
        for (var g = 0; g < 60; g++)
        {
            var first = Affine(random, 4, 8);
            var chain = new HeadChain([first, HeadLayer.Normalise([.. Enumerable.Range(0, 8).Select(_ => 0.5 + random.NextDouble())], new double[8], 1e-5),
                HeadLayer.Elementwise(8, HeadActivation.Mish), Affine(random, 8, 2)]);
            double[] z0 = [.. Enumerable.Range(0, 4).Select(_ => random.NextGaussian())];
            double[] z1 = [.. Enumerable.Range(0, 4).Select(_ => random.NextGaussian())];
            if (g % 2 == 0)
            {
                // Through a point whose pre-LayerNorm input has the same value everywhere: z0 mirrored about a solution of W z + b = c·1.
                var w = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(8, 4, (r, c) => first.Weight[(r * 4) + c]);
                var flat = w.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(8, r => 0.3 - first.Bias[r]));
                z1 = [.. z0.Select((v, k) => (2 * flat[k]) - v)];
            }

            Assert.True(((IHead)chain).LocalLipschitz(z0, z1, 4) <= chain.Lipschitz(4) * (1 + 1e-12));
            var endpoint = chain.Lipschitz(4) * Math.Min(1, Factor(chain, z0, z0));
            double[] At(double t) => [.. z0.Select((v, k) => v + (t * (z1[k] - v)))];
            var worst = 0.0;
            for (var p = 0; p < 400; p++)
            {
                var (t, u) = (random.NextDouble(), random.NextDouble());
                if (p % 4 == 0)
                {
                    (t, u) = (0.5 + ((random.NextDouble() - 0.5) * 1e-3), 0.5 + ((random.NextDouble() - 0.5) * 1e-3));
                }

                // The constant is for the two points of a segment: each pair of points gets its own.
                var (a, b) = (At(t), At(u));
                var local = ((IHead)chain).LocalLipschitz(a, b, 4);
                var output = Math.Sqrt(chain.Evaluate(a).Zip(chain.Evaluate(b), (x, y) => (x - y) * (x - y)).Sum());
                var input = Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
                Assert.True(output <= (local * input) + 1e-12, $"segment {g}: {output} > {local} × {input}");
                worst = Math.Max(worst, input > 0 ? output / input : 0);
            }

            brokenByEndpoint += worst > endpoint ? 1 : 0;
        }

        Assert.True(brokenByEndpoint > 0, "the variance at an endpoint should be too optimistic on segments through a flat point");
    }

    /// <summary>The local factor of the first LayerNorm on the (degenerate) segment from a to b.</summary>
    private static double Factor(HeadChain chain, double[] a, double[] b) =>
        ((IHead)chain).LocalLipschitz(a, b, chain.Inputs) / chain.Lipschitz(chain.Inputs);
}
