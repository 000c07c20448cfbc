using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="Ops"/>, <see cref="Tensor.Backward"/> and <see cref="GradMode"/>: exact small cases and graph rules.</summary>
public sealed class AutogradTests
{
    private static Tensor Leaf(float[] values, params int[] shape)
    {
        var t = Tensor.FromArray(values, shape);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void MatMulForwardAndGradientsMatchHandComputation()
    {
        var a = Leaf([1, 2, 3, 4], 2, 2);
        var b = Leaf([5, 6, 7, 8], 2, 2);
        var y = Ops.MatMul(a, b);
        Assert.Equal([19f, 22f, 43f, 50f], y.ToArray());
        Ops.Sum(y).Backward();
        // d(sum)/da = ones · bᵀ, d(sum)/db = aᵀ · ones.
        Assert.Equal([11f, 15f, 11f, 15f], a.Grad!.ToArray());
        Assert.Equal([4f, 4f, 6f, 6f], b.Grad!.ToArray());
    }

    [Fact]
    public void ATensorUsedTwiceAccumulatesBothGradients()
    {
        var x = Leaf([3f], 1, 1);
        Ops.Sum(Ops.Mul(x, x)).Backward();
        Assert.Equal(6f, x.Grad!.Data[0]);
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroGrad()
    {
        var x = Leaf([1f, 2f], 1, 2);
        Ops.Sum(x).Backward();
        Ops.Sum(x).Backward();
        Assert.Equal([2f, 2f], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Equal([0f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void NoGradRecordsNothingAndNests()
    {
        var x = Leaf([1f], 1, 1);
        using (GradMode.NoGrad())
        {
            using (GradMode.NoGrad())
            {
                Assert.False(GradMode.IsEnabled);
            }

            Assert.False(GradMode.IsEnabled);
            var y = Ops.Scale(x, 2f);
            Assert.False(y.RequiresGrad);
            Assert.Throws<InvalidOperationException>(() => Ops.Sum(y).Backward());
        }

        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DetachStopsTheGradient()
    {
        var x = Leaf([2f], 1, 1);
        var loss = Ops.MeanSquaredDistance(x, Ops.Scale(x, 3f).Detach());
        loss.Backward();
        // d/dx (x − 6)² at x = 2 with the target constant: 2·(2 − 6) = −8.
        Assert.Equal(-8f, x.Grad!.Data[0]);
    }

    [Fact]
    public void BackwardNeedsAScalarAndFreesTheGraph()
    {
        var x = Leaf([1f, 2f], 1, 2);
        Assert.Throws<InvalidOperationException>(() => Ops.Scale(x, 2f).Backward());
        var loss = Ops.Sum(x);
        loss.Backward();
        Assert.Throws<InvalidOperationException>(loss.Backward);
    }

    [Fact]
    public void ShapeMismatchesAreArgumentErrors()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(2, 2);
        Assert.Throws<ArgumentException>(() => Ops.MatMul(a, b));
        Assert.Throws<ArgumentException>(() => Ops.Add(a, b));
        Assert.Throws<ArgumentException>(() => Ops.Concat(a, Tensor.Zeros(3, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndexSelect(a, [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.OneHot([3], 3));
    }

    [Fact]
    public void MseLossIsPyTorchsMeanAndMeanSquaredDistanceSumsFeatures()
    {
        var p = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var t = Tensor.Zeros(2, 2);
        Assert.Equal(7.5f, Ops.MseLoss(p, t).Item());
        Assert.Equal(15f, Ops.MeanSquaredDistance(p, t).Item());
    }

    [Fact]
    public void LinearInitialisationIsKaimingUniformWithinOneOverSqrtFanIn()
    {
        var layer = new Linear(16, 8, new SeededRandom(1));
        Assert.All(layer.Weight.Data, w => Assert.InRange(w, -0.25f, 0.25f));
        Assert.All(layer.Bias!.Data, w => Assert.InRange(w, -0.25f, 0.25f));
        // Uniform on [−b, b) has variance b²/3: the sample variance of 128 weights is near it.
        var variance = layer.Weight.Data.Average(w => w * w);
        Assert.InRange(variance, 0.0625 / 3 * 0.7, 0.0625 / 3 * 1.3);
    }

    [Fact]
    public void ModulesNameParametersByPathAndSwitchModes()
    {
        var mlp = Sequential.Mlp([4, 3, 2], ActivationKind.Tanh, new SeededRandom(0), layerNorm: true);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"], mlp.NamedParameters().Select(p => p.Name).ToArray());
        Assert.All(mlp.Parameters(), p => Assert.True(p.RequiresGrad));
        mlp.Eval();
        Assert.All(mlp.Layers, l => Assert.False(l.Training));
        mlp.Train();
        Assert.All(mlp.Layers, l => Assert.True(l.Training));
    }

    [Fact]
    public void SeededRandomIsReproducibleAndUniform()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => a.NextUInt64()), Enumerable.Range(0, 5).Select(_ => b.NextUInt64()));
        var r = new SeededRandom(7);
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
        {
            counts[r.NextInt(4)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }
}
