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

    [Fact]
    public void NarrowIntervalsAtTheTurningPointsGetNarrowRanges()
    {
        // Around Mish's, SiLU's and GELU's turning points the ranges come from a Taylor bound at the midpoint: sound on
        // dense samples, and as narrow as the interval (no jump to the global extremum for an interval of width 1e-6).
        (HeadActivation Kind, double[] Points)[] turns =
        [
            (HeadActivation.Mish, [-1.1924, -2.2564, 1.4905]),
            (HeadActivation.Silu, [-1.2785, -2.3994, 2.3994]),
            (HeadActivation.GeluErf, [-0.752, -1.414, 1.414]),
            (HeadActivation.GeluTanh, [-0.752, -1.414, 1.414]),
        ];
        foreach (var (kind, points) in turns)
        {
            foreach (var point in points)
            {
                foreach (var half in new[] { 1e-6, 1e-3, 0.05 })
                {
                    var (lo, hi) = (point - half, point + half);
                    var value = ActivationRange.Value(kind, 0, lo, hi);
                    var slope = ActivationRange.Slope(kind, 0, lo, hi);
                    for (var s = 0; s <= 2000; s++)
                    {
                        var x = lo + ((hi - lo) * s / 2000);
                        Assert.InRange(HeadChain.Activate(kind, x), value.Lo, value.Hi);
                        Assert.InRange(ActivationRange.Derivative(kind, 0, x), slope.Lo, slope.Hi);
                    }

                    Assert.True(value.Hi - value.Lo <= (4 * half) + 1e-9, $"{kind} value range on [{lo}, {hi}]: {value}");
                    Assert.True(slope.Hi - slope.Lo <= (2 * half) + 1e-9, $"{kind} slope range on [{lo}, {hi}]: {slope}");
                }
            }
        }
    }

    [Fact]
    public void EveryPointOfAPieceMapsIntoTheFlowsBox()
    {
        // The affine form c + s·g + e carried through affine layers, activations, LayerNorms and a two-hot decoding must
        // hold the chain's exact value at every point of the piece, long pieces and short.
        var random = new SeededRandom(23);
        for (var g = 0; g < 60; g++)
        {
            var kind = Kinds[g % Kinds.Length];
            var alpha = kind switch { HeadActivation.LeakyRelu => 0.1, HeadActivation.Elu => 1.0, _ => 0 };
            List<HeadLayer> layers = [Affine(random, 6, 16), Norm(random, 16), HeadLayer.Elementwise(16, kind, alpha), Affine(random, 16, 12)];
            if (g % 2 == 0)
            {
                layers.AddRange([HeadLayer.Elementwise(12, HeadActivation.Mish), Norm(random, 12)]);
            }

            layers.Add(Affine(random, 12, 7));
            if (g % 3 == 0)
            {
                layers.Add(HeadLayer.SoftmaxExpectation([.. Enumerable.Range(0, 7).Select(i => -3.0 + i)]));
            }

            if (g % 4 == 1)
            {
                layers.RemoveAt(1); // an activation straight after an affine layer
            }

            double[] centre = [.. Enumerable.Range(0, 6).Select(_ => random.NextGaussian())];
            var reach = Math.Pow(10, -4 + (4 * random.NextDouble()));
            double[] generator = [.. Enumerable.Range(0, 6).Select(_ => reach * random.NextGaussian())];
            for (var length = 1; length <= layers.Count; length++)
            {
                // Every prefix: each layer's own output, not only the chain's.
                var chain = new HeadChain([.. layers.Take(length)]);
                var (lo, hi) = SegmentBound.Flow.Segment(centre, generator, new double[6]).Through(new SegmentBound.Prepared(chain)).Box;
                for (var k = 0; k <= 200; k++)
                {
                    var s = -1 + (k / 100.0);
                    var y = chain.Evaluate([.. centre.Select((c, i) => c + (s * generator[i]))]);
                    for (var i = 0; i < y.Length; i++)
                    {
                        Assert.True(y[i] >= lo[i] && y[i] <= hi[i], $"chain {g} ({kind}) to layer {length}, reach {reach}: output {i} at s = {s} is {y[i]}, outside [{lo[i]}, {hi[i]}]");
                    }
                }
            }
        }
    }

    [Fact]
    public void OnAShortPieceTheBoundIsTheDirectionalDerivative()
    {
        // A confident two-hot decoding after LayerNorm and Mish layers (the paper's aux head, small): on a piece of length
        // 1e-7 the bound must be the exact ‖J·u‖ to a few parts in a thousand, not the decoding's global (max b − min b)/2
        // times the slope ranges' spread.
        var random = new SeededRandom(29);
        for (var g = 0; g < 20; g++)
        {
            var layers = new List<HeadLayer>
            {
                Affine(random, 8, 32), Norm(random, 32), HeadLayer.Elementwise(32, HeadActivation.Mish),
                Affine(random, 32, 32), Norm(random, 32), HeadLayer.Elementwise(32, HeadActivation.Mish),
                HeadLayer.Affine(32, 21, [.. Enumerable.Range(0, 32 * 21).Select(_ => random.NextGaussian() * 3)], [.. Enumerable.Range(0, 21).Select(_ => random.NextGaussian())]),
                HeadLayer.SoftmaxExpectation([.. Enumerable.Range(0, 21).Select(i => -10.0 + i)]),
            };
            var chain = new HeadChain(layers);
            double[] x0 = [.. Enumerable.Range(0, 8).Select(_ => random.NextGaussian())];
            double[] u = [.. Enumerable.Range(0, 8).Select(_ => random.NextGaussian())];
            var norm = Math.Sqrt(u.Sum(v => v * v));
            u = [.. u.Select(v => v / norm)];
            double[] x1 = [.. x0.Select((v, i) => v + (1e-7 * u[i]))];
            var bound = chain.Directional(x0, x1);
            var h = 1e-5;
            var derivative = Math.Abs(chain.Evaluate([.. x0.Select((v, i) => v + (h * u[i]))])[0] - chain.Evaluate([.. x0.Select((v, i) => v - (h * u[i]))])[0]) / (2 * h);
            Assert.True(bound >= derivative * (1 - 1e-3) && bound <= (derivative * 1.01) + 1e-6, $"chain {g}: bound {bound} for a derivative of {derivative}");
        }
    }

    private static HeadLayer Affine(SeededRandom random, int inputs, int outputs) =>
        HeadLayer.Affine(inputs, outputs, [.. Enumerable.Range(0, inputs * outputs).Select(_ => random.NextGaussian() / Math.Sqrt(inputs))], [.. Enumerable.Range(0, outputs).Select(_ => random.NextGaussian() * 0.1)]);

    private static HeadLayer Norm(SeededRandom random, int width) =>
        HeadLayer.Normalise([.. Enumerable.Range(0, width).Select(_ => 0.5 + random.NextDouble())], [.. Enumerable.Range(0, width).Select(_ => random.NextGaussian() * 0.1)], 1e-5);
}
