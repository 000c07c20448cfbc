using FsCheck.Xunit;
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
}
