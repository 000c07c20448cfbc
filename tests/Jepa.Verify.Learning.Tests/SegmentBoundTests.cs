using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="SegmentBound"/> and <see cref="ActivationRange"/>: the directional bound along a pair's segment.</summary>
public sealed class SegmentBoundTests
{
    private static readonly HeadActivation[] Kinds = Enum.GetValues<HeadActivation>();

    [Fact]
    public void EveryActivationsValueAndSlopeOnAnIntervalLieInTheRangesGiven()
    {
        // Random intervals, many around the turning points of Mish, SiLU and GELU, sampled densely.
        var random = new SeededRandom(5);
        foreach (var kind in Kinds)
        {
            var alpha = kind switch { HeadActivation.LeakyRelu => 0.01, HeadActivation.Elu => 1.0, _ => 0 };
            for (var k = 0; k < 400; k++)
            {
                var centre = k % 2 == 0 ? (random.NextDouble() - 0.5) * 8 : (random.NextDouble() - 0.5) * 40;
                var width = Math.Pow(10, -3 + (4 * random.NextDouble()));
                var (lo, hi) = (centre - width, centre + width);
                var value = ActivationRange.Value(kind, alpha, lo, hi);
                var slope = ActivationRange.Slope(kind, alpha, lo, hi);
                for (var s = 0; s <= 2000; s++)
                {
                    var x = lo + ((hi - lo) * s / 2000);
                    var f = HeadChain.Activate(kind, x, alpha);
                    var d = ActivationRange.Derivative(kind, alpha, x);
                    Assert.True(f >= value.Lo && f <= value.Hi, $"{kind} on [{lo}, {hi}]: f({x}) = {f} outside [{value.Lo}, {value.Hi}]");
                    Assert.True(d >= slope.Lo && d <= slope.Hi, $"{kind} on [{lo}, {hi}]: f′({x}) = {d} outside [{slope.Lo}, {slope.Hi}]");
                }
            }
        }
    }

    [Fact]
    public void TheDerivativesAreTheActivationsSlopes()
    {
        foreach (var kind in Kinds)
        {
            var alpha = kind switch { HeadActivation.LeakyRelu => 0.01, HeadActivation.Elu => 1.0, _ => 0 };
            for (var x = -6.05; x < 6; x += 0.1)
            {
                var numeric = (HeadChain.Activate(kind, x + 1e-6, alpha) - HeadChain.Activate(kind, x - 1e-6, alpha)) / 2e-6;
                Assert.Equal(numeric, ActivationRange.Derivative(kind, alpha, x), 5);
            }
        }
    }

    [Fact]
    public void TheLeastVarianceOverABoxIsItsDistanceToTheConstantLine()
    {
        // A box that holds a constant vector has least variance 0; a point box its own variance; a mixed one in between.
        Assert.Equal(0, SegmentBound.BoxVariance([0, 1, 2], [3, 4, 5]), 12);
        Assert.Equal(2.0 / 3, SegmentBound.BoxVariance([0, 1, 2], [0, 1, 2]), 12);
        var random = new SeededRandom(3);
        for (var k = 0; k < 200; k++)
        {
            var n = 2 + random.NextInt(6);
            var lo = Enumerable.Range(0, n).Select(_ => random.NextGaussian()).ToArray();
            var hi = lo.Select(v => v + (random.NextDouble() * 0.5)).ToArray();
            var least = SegmentBound.BoxVariance(lo, hi);
            for (var s = 0; s < 200; s++)
            {
                var y = lo.Select((v, i) => v + (random.NextDouble() * (hi[i] - v))).ToArray();
                var mean = y.Average();
                Assert.True(y.Sum(v => (v - mean) * (v - mean)) / n >= least * (1 - 1e-12) - 1e-15);
            }
        }
    }

    [Fact]
    public void TheDirectionalBoundHoldsBetweenAnyTwoPointsOfRandomChainsAndIsNotLoose()
    {
        // Chains with every activation, LayerNorms after affine layers and after activations (the box path), and a
        // two-hot decoding at the end; segments short and long. For two points of a segment, the bound on their own
        // segment (a mean of the directional derivative) times their distance must cover their outputs' distance, and
        // half of it must fail somewhere (it is not vacuous).
        var random = new SeededRandom(17);
        var halvedFails = 0;
        for (var g = 0; g < 80; g++)
        {
            var kind = Kinds[g % Kinds.Length];
            var alpha = kind switch { HeadActivation.LeakyRelu => 0.1, HeadActivation.Elu => 1.0, _ => 0 };
            var layers = new List<HeadLayer> { Affine(random, 5, 12) };
            if (g % 3 == 0)
            {
                layers.Add(Norm(random, 12));
            }

            layers.Add(HeadLayer.Elementwise(12, kind, alpha));
            layers.Add(Affine(random, 12, 10));
            if (g % 2 == 0)
            {
                layers.Add(Norm(random, 10));
                layers.Add(HeadLayer.Elementwise(10, HeadActivation.Mish));
            }

            if (g % 4 == 1)
            {
                layers.Add(Affine(random, 10, 9));
                layers.Add(HeadLayer.SoftmaxExpectation([.. Enumerable.Range(0, 9).Select(i => -2.0 + (0.5 * i))]));
            }
            else
            {
                layers.Add(Affine(random, 10, 3));
            }

            var chain = new HeadChain(layers);
            double[] z0 = [.. Enumerable.Range(0, 5).Select(_ => random.NextGaussian())];
            var reach = g % 2 == 0 ? 0.05 : 1.0;
            double[] z1 = [.. z0.Select(v => v + (reach * random.NextGaussian()))];
            var whole = ((IHead)chain).LocalLipschitz(z0, z1, 5);
            Assert.True(whole <= chain.Directional(z0, z1) && whole <= chain.Lipschitz(5) * (1 + 1e-12));
            double[] At(double t) => [.. z0.Select((v, k) => v + (t * (z1[k] - v)))];
            var halved = false;
            for (var p = 0; p < 60; p++)
            {
                var t = random.NextDouble();
                var u = p % 2 == 0 ? t + ((random.NextDouble() - 0.5) * 1e-3) : random.NextDouble();
                var (a, b) = (At(t), At(u));
                var bound = chain.Directional(a, b);
                var output = Math.Sqrt(chain.Evaluate(a).Zip(chain.Evaluate(b), (x, y) => (x - y) * (x - y)).Sum());
                var input = Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
                Assert.True(output <= (bound * input) + 1e-12, $"chain {g} ({kind}): {output} > {bound} × {input}");
                halved |= output > bound / 2 * input;
            }

            halvedFails += halved ? 1 : 0;
        }

        Assert.True(halvedFails > 40, $"half the directional bound failed on only {halvedFails} of 80 chains: the bound is loose");
    }

    private static HeadLayer Affine(SeededRandom random, int inputs, int outputs) =>
        HeadLayer.Affine(inputs, outputs, [.. Enumerable.Range(0, inputs * outputs).Select(_ => random.NextGaussian() / Math.Sqrt(inputs))], [.. Enumerable.Range(0, outputs).Select(_ => random.NextGaussian() * 0.1)]);

    private static HeadLayer Norm(SeededRandom random, int width) =>
        HeadLayer.Normalise([.. Enumerable.Range(0, width).Select(_ => 0.5 + random.NextDouble())], [.. Enumerable.Range(0, width).Select(_ => random.NextGaussian() * 0.1)], 1e-5);
}
