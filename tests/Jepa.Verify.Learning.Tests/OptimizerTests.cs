using Jepa.Verify.Learning.Optimizers;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="Sgd"/>, <see cref="Adam"/> and <see cref="GradClip"/> against steps computed by hand.</summary>
public sealed class OptimizerTests
{
    private static Tensor Parameter(float value, float grad)
    {
        var p = Tensor.FromArray([value], 1);
        p.RequiresGrad = true;
        p.EnsureGrad()[0] = grad;
        return p;
    }

    [Fact]
    public void SgdStepsAgainstTheGradientWithWeightDecay()
    {
        var p = Parameter(2f, 0.5f);
        new Sgd([p], learningRate: 0.1f, weightDecay: 0.01f).Step();
        // g = 0.5 + 0.01·2 = 0.52; p = 2 − 0.1·0.52 = 1.948
        Assert.Equal(1.948f, p.Data[0], 6);
    }

    [Fact]
    public void SgdMomentumStartsFromTheFirstGradientThenAccumulates()
    {
        var p = Parameter(1f, 1f);
        var sgd = new Sgd([p], learningRate: 0.1f, momentum: 0.9f);
        sgd.Step(); // b = 1; p = 0.9
        sgd.Step(); // b = 0.9·1 + 1 = 1.9; p = 0.9 − 0.19 = 0.71
        Assert.Equal(0.71f, p.Data[0], 6);
    }

    [Fact]
    public void AdamFirstStepMovesByTheLearningRate()
    {
        // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
        var p = Parameter(1f, 3f);
        new Adam([p], learningRate: 0.01f).Step();
        Assert.Equal(1f - (0.01f * 3f / (3f + 1e-8f)), p.Data[0], 6);
    }

    [Fact]
    public void AdamSecondStepMatchesTheBiasCorrectedFormula()
    {
        var p = Parameter(0.5f, 2f);
        var adam = new Adam([p], learningRate: 0.1f, beta1: 0.9f, beta2: 0.99f, weightDecay: 0.1f);
        adam.Step();
        p.EnsureGrad()[0] = -1f;
        adam.Step();

        // By hand in double: coupled decay adds 0.1·p to the gradient.
        double x = 0.5, m = 0, v = 0;
        foreach (var (t, grad) in new[] { (1, 2.0), (2, -1.0) })
        {
            var g = grad + (0.1 * x);
            m = (0.9 * m) + (0.1 * g);
            v = (0.99 * v) + (0.01 * g * g);
            x -= 0.1 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.99, t))) + 1e-8);
        }

        Assert.Equal(x, p.Data[0], 5);
    }

    [Fact]
    public void ALearningRateScaleMultipliesTheStepOfItsGroupOnly()
    {
        // The reference trains its encoder at 0.3× the heads' rate: Adam's first step is lr·sign(g), so 0.03 against 0.1.
        var (encoder, head) = (Parameter(1f, 2f), Parameter(1f, 2f));
        var adam = new Adam([encoder, head], learningRate: 0.1f);
        adam.ScaleLearningRate([encoder], 0.3f);
        adam.Step();
        Assert.Equal(1f - 0.03f, encoder.Data[0], 5);
        Assert.Equal(1f - 0.1f, head.Data[0], 5);

        var (a, b) = (Parameter(1f, 1f), Parameter(1f, 1f));
        var sgd = new Sgd([a, b], learningRate: 0.1f);
        sgd.ScaleLearningRate([b], 2f);
        sgd.LearningRate = 0.05f; // a schedule scales every group alike
        sgd.Step();
        Assert.Equal(0.95f, a.Data[0], 6);
        Assert.Equal(0.9f, b.Data[0], 6);

        Assert.Throws<ArgumentException>(() => sgd.ScaleLearningRate([Parameter(0f, 0f)], 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ScaleLearningRate([a], 0f));
    }

    [Fact]
    public void AdamWDecaysTheWeightsOutsideTheMoments()
    {
        var p = Parameter(1f, 0f);
        new Adam([p], learningRate: 0.1f, weightDecay: 0.5f, decoupledWeightDecay: true).Step();
        // p·(1 − 0.1·0.5) = 0.95, and a zero gradient adds no step.
        Assert.Equal(0.95f, p.Data[0], 6);
    }

    [Fact]
    public void ClipGradNormScalesToTheLimitAndReportsTheOriginalNorm()
    {
        var a = Parameter(0f, 3f);
        var b = Parameter(0f, 4f);
        var norm = GradClip.ClipGradNorm([a, b], 1f);
        Assert.Equal(5.0, norm, 6);
        Assert.Equal(0.6f, a.GradData![0], 5);
        Assert.Equal(0.8f, b.GradData![0], 5);
    }

    [Fact]
    public void ClipGradNormLeavesSmallGradientsAlone()
    {
        var a = Parameter(0f, 0.3f);
        GradClip.ClipGradNorm([a], 1f);
        Assert.Equal(0.3f, a.GradData![0]);
    }

    [Fact]
    public void ZeroGradClearsAndStepSkipsParametersWithoutGradients()
    {
        var p = Parameter(1f, 1f);
        var q = Tensor.FromArray([7f], 1);
        q.RequiresGrad = true;
        var sgd = new Sgd([p, q], 1f);
        sgd.ZeroGrad();
        sgd.Step();
        Assert.Equal(1f, p.Data[0]);
        Assert.Equal(7f, q.Data[0]);
    }

    [Fact]
    public void InvalidHyperParametersAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([], learningRate: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([], beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([], 0.1f, momentum: -0.1f));
    }
}
