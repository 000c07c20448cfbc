using FsCheck.Xunit;
using Xunit;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for the gradients of every <see cref="Ops"/> operation and every module against finite
/// differences (<see cref="GradCheck"/>), over random shapes and values.
/// </summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class GradientProperties
{
    /// <summary>Checks one operation's gradient at one shape; throws with the mismatch, which FsCheck reports with the shrunk shape.</summary>
    private static void Holds(GradShape s, Func<SeededRandom, GradShape, (Func<Tensor[], Tensor> F, Tensor[] Inputs)> make)
    {
        var random = new SeededRandom((ulong)s.Seed);
        var (f, inputs) = make(random, s);
        if (GradCheck.Mismatch(f, inputs, (ulong)s.Seed + 1) is { } mismatch)
        {
            throw new InvalidOperationException(mismatch);
        }
    }

    private static Tensor R(SeededRandom r, params int[] shape) => GradCheck.Random(r, awayFromZero: false, shape);

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 40)]
    public void MatMul(GradShape s) => Holds(s, (r, s) => (x => Ops.MatMul(x[0], x[1]), [R(r, s.M, s.K), R(r, s.K, s.N)]));

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 40)]
    public void LinearWithAndWithoutBias(GradShape s)
    {
        Holds(s, (r, s) => (x => Ops.Linear(x[0], x[1], x[2]), [R(r, s.M, s.K), R(r, s.N, s.K), R(r, s.N)]));
        Holds(s, (r, s) => (x => Ops.Linear(x[0], x[1], null), [R(r, s.M, s.K), R(r, s.N, s.K)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 20)]
    public void ElementWiseArithmetic(GradShape s)
    {
        Holds(s, (r, s) => (x => Ops.Add(x[0], x[1]), [R(r, s.M, s.N), R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Sub(x[0], x[1]), [R(r, s.M, s.N), R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Mul(x[0], x[1]), [R(r, s.M, s.N), R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Scale(x[0], -1.7f), [R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.AddRowVector(x[0], x[1]), [R(r, s.M, s.N), R(r, s.N)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30)]
    public void ReductionsAndLosses(GradShape s)
    {
        Holds(s, (r, s) => (x => Ops.Sum(x[0]), [R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Mean(x[0]), [R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.MseLoss(x[0], x[1]), [R(r, s.M, s.N), R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.MeanSquaredDistance(x[0], x[1]), [R(r, s.M, s.N), R(r, s.M, s.N)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30)]
    public void ConcatAndIndexSelectWithRepeatedRows(GradShape s)
    {
        Holds(s, (r, s) => (x => Ops.Concat(x[0], x[1], x[2]), [R(r, s.M, s.N), R(r, s.M, s.K), R(r, s.M, 1)]));
        Holds(s, (r, s) =>
        {
            var rows = Enumerable.Range(0, s.K + 2).Select(_ => r.NextInt(s.M)).ToArray();
            return (x => Ops.IndexSelect(x[0], rows), [R(r, s.M, s.N)]);
        });
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30)]
    public void Activations(GradShape s)
    {
        Holds(s, (r, s) => (x => Ops.Relu(x[0]), [GradCheck.Random(r, awayFromZero: true, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Tanh(x[0]), [R(r, s.M, s.N)]));
        Holds(s, (r, s) => (x => Ops.Mish(Ops.Scale(x[0], 3f)), [R(r, s.M, s.N)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 40)]
    public void LayerNormIntoInputScaleAndShift(GradShape s) =>
        Holds(s, (r, s) =>
        {
            var n = s.N + 2;
            var x = R(r, s.M, n);
            for (var i = 0; i < x.Length; i++)
            {
                x.Data[i] += 0.5f * (i % n);
            }

            return (t => Ops.LayerNorm(t[0], t[1], t[2]), [x, R(r, n), R(r, n)]);
        });

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 25)]
    public void Modules(GradShape s) =>
        Holds(s, (r, s) =>
        {
            var mlp = Sequential.Mlp([s.K, s.N + 1, s.M], ActivationKind.Tanh, r, layerNorm: true);
            var input = R(r, s.M, s.K);
            var parameters = mlp.Parameters();
            return (x => mlp.Forward(x[0]), [input, .. parameters]);
        });

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 10)]
    public void TheJointPJepaLossIntoEveryParameter(GradShape s) =>
        Holds(s, (r, s) =>
        {
            var model = new PJepaModel(new ModelShape(s.K + 1, 2, 1, s.N + 1, 4, 1, ActivationKind.Mish, false, (ulong)r.NextInt(1000)));
            var features = R(r, s.M + 1, s.K + 1);
            var from = Enumerable.Range(0, 4).Select(_ => r.NextInt(s.M + 1)).ToArray();
            var to = Enumerable.Range(0, 4).Select(_ => r.NextInt(s.M + 1)).ToArray();
            var actions = Enumerable.Range(0, 4).Select(_ => r.NextInt(2)).ToArray();
            var aux = R(r, 4, 1);
            return (x =>
            {
                var z = model.Encoder.Forward(x[0]);
                var zFrom = Ops.IndexSelect(z, from);
                var dyn = Ops.MeanSquaredDistance(model.PredictNext(zFrom, actions), Ops.IndexSelect(z, to));
                return Ops.Add(dyn, Ops.Scale(Ops.MeanSquaredDistance(model.PredictAux(zFrom), aux), 0.5f));
            }, [features, .. model.Parameters()]);
        });

    /// <summary>A small convolution case from a gradient-check shape: batch 1–2, channels 1–3, images 3–5 on a side, kernel 1–3, stride 1–2, padding 0–1.</summary>
    private static (int N, int C, int H, int W, int O, int K, int Stride, int Padding) ConvCase(GradShape s) =>
        (1 + (s.M % 2), 1 + (s.N % 3), 3 + (s.K % 3), 3 + (s.M % 3), 1 + (s.K % 3), 1 + (s.Seed % 3), 1 + (s.Seed / 3 % 2), s.Seed / 6 % 2);

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 25)]
    public void Conv2dIntoInputWeightAndBias(GradShape s)
    {
        var (n, c, h, w, o, k, stride, padding) = ConvCase(s);
        Holds(s, (r, _) => (x => Ops.Conv2d(x[0], x[1], x[2], stride, padding), [R(r, n, c, h, w), R(r, o, c, k, k), R(r, o)]));
        Holds(s, (r, _) => (x => Ops.Conv2d(x[0], x[1], null, stride, padding), [R(r, n, c, h, w), R(r, o, c, k, k)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 40)]
    public void Conv2dIsTheCrossCorrelationOfItsDefinition(GradShape s)
    {
        var (n, c, h, w, o, k, stride, padding) = ConvCase(s);
        var r = new SeededRandom((ulong)s.Seed);
        var (x, weight, bias) = (R(r, n, c, h, w), R(r, o, c, k, k), R(r, o));
        var y = Ops.Conv2d(x, weight, bias, stride, padding);
        int ho = ((h + (2 * padding) - k) / stride) + 1, wo = ((w + (2 * padding) - k) / stride) + 1;
        Assert.Equal([n, o, ho, wo], y.Shape.ToArray());
        for (var b = 0; b < n; b++)
        {
            for (var oc = 0; oc < o; oc++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    for (var ox = 0; ox < wo; ox++)
                    {
                        double sum = bias.Data[oc];
                        for (var ic = 0; ic < c; ic++)
                        {
                            for (var ky = 0; ky < k; ky++)
                            {
                                for (var kx = 0; kx < k; kx++)
                                {
                                    int iy = (oy * stride) - padding + ky, ix = (ox * stride) - padding + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        sum += (double)x.Data[(((b * c) + ic) * h + iy) * w + ix] * weight.Data[(((oc * c) + ic) * k + ky) * k + kx];
                                    }
                                }
                            }
                        }

                        var got = y.Data[(((b * o) + oc) * ho + oy) * wo + ox];
                        Assert.True(Math.Abs(got - sum) <= 1e-5 * (1 + Math.Abs(sum)), $"y[{b},{oc},{oy},{ox}] = {got}, expected {sum}");
                    }
                }
            }
        }
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 25)]
    public void MaxPoolAndGlobalAveragePool(GradShape s)
    {
        var (n, c, h, w, _, _, stride, _) = ConvCase(s);
        var kernel = 2 + (s.Seed % 2);
        var padding = s.Seed / 6 % 2;
        Holds(s, (r, _) =>
        {
            // Distinct values 0.1 apart, so the finite-difference step (0.01) never changes which element is largest.
            var values = Enumerable.Range(0, n * c * h * w).Select(i => (i * 0.1f) - 1f).ToArray();
            for (var i = values.Length - 1; i > 0; i--)
            {
                var j = r.NextInt(i + 1);
                (values[i], values[j]) = (values[j], values[i]);
            }

            return (x => Ops.MaxPool2d(x[0], kernel, stride, padding), [Tensor.FromArray(values, n, c, h, w)]);
        });
        Holds(s, (r, _) => (x => Ops.GlobalAvgPool(x[0]), [R(r, n, c, h, w)]));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30)]
    public void TwoHotCrossEntropyIntoTheLogits(GradShape s)
    {
        var bins = new TwoHotBins(3 + s.N, -2f, 2f);
        Holds(s, (r, s) =>
        {
            // Targets inside the range, beyond it (clamped), and exactly on a bin.
            var targets = Enumerable.Range(0, s.M).Select(i => i == 0 ? 0f : r.NextFloat(-9f, 9f)).ToArray();
            return (x => Ops.TwoHotCrossEntropy(x[0], targets, bins), [R(r, s.M, bins.Count)]);
        });
    }
}
