using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="TwoHotBins"/> and <see cref="Ops.TwoHotCrossEntropy"/>: TD-MPC2's encoding, numbers checked by hand.</summary>
public sealed class TwoHotBinsTests
{
    private static readonly TwoHotBins Reference = new();

    [Fact]
    public void SymlogAndSymexpAreInversesAndOdd()
    {
        foreach (var x in new[] { -1000f, -3.5f, -1f, 0f, 0.25f, 1f, 7f, 1e4f })
        {
            Assert.Equal(x, TwoHotBins.Symexp(TwoHotBins.Symlog(x)), 1e-3f * (1 + Math.Abs(x)));
            Assert.Equal(-TwoHotBins.Symlog(x), TwoHotBins.Symlog(-x));
        }

        Assert.Equal(MathF.Log(2f), TwoHotBins.Symlog(1f), 6);
    }

    [Fact]
    public void EncodeSpreadsOverTheTwoNearestBins()
    {
        // The reference grid: 101 bins on [−10, 10], 0.2 apart; symlog(0) = 0 is bin 50 exactly.
        Assert.Equal((50, 0f), Reference.Encode(0f));
        var (lower, upper) = Reference.Encode(1f); // symlog(1) = ln 2 = 0.6931: 3.466 bins above 0
        Assert.Equal(53, lower);
        Assert.Equal(0.466f, upper, 3);
        Assert.Equal((99, 1f), Reference.Encode(1e9f)); // clamped to the top bin: all its weight on bin 100
        Assert.Equal((0, 0f), Reference.Encode(-1e9f));
    }

    [Fact]
    public void DecodeReturnsTheValueWhoseTwoHotTheLogitsAre()
    {
        foreach (var value in new[] { -20f, -1f, 0f, 0.3f, 1f, 4f, 100f })
        {
            var (lower, upper) = Reference.Encode(value);
            var logits = new float[Reference.Count];
            Array.Fill(logits, -60f); // e^-60: nothing
            logits[lower] = MathF.Log(1 - upper + 1e-30f);
            logits[lower + 1] = MathF.Log(upper + 1e-30f);
            Assert.Equal(value, Reference.Decode(logits), 1e-3f * (1 + Math.Abs(value)));
        }
    }

    [Fact]
    public void CrossEntropyIsTheTwoHotsEntropyAtItsMinimumAndLargerElsewhere()
    {
        var bins = new TwoHotBins(5, -2f, 2f);
        var (lower, upper) = bins.Encode(0.5f); // symlog 0.4055: 2.405 bins up
        var best = new float[5];
        Array.Fill(best, -80f);
        best[lower] = MathF.Log(1 - upper);
        best[lower + 1] = MathF.Log(upper);
        var entropy = -(((1 - upper) * Math.Log(1 - upper)) + (upper * Math.Log(upper)));
        var atBest = Ops.TwoHotCrossEntropy(Tensor.FromArray(best, 1, 5), [0.5f], bins).Item();
        Assert.Equal(entropy, atBest, 4);
        var uniform = Ops.TwoHotCrossEntropy(Tensor.Zeros(1, 5), [0.5f], bins).Item();
        Assert.Equal(Math.Log(5), uniform, 5); // uniform logits: −log(1/5) whatever the target
    }

    [Fact]
    public void DivergenceIsTheCrossEntropyLessTheTargetsEntropyAndZeroAtTheTarget()
    {
        var bins = new TwoHotBins(5, -2f, 2f);
        var (lower, upper) = bins.Encode(0.5f);
        var best = new float[5];
        Array.Fill(best, -80f);
        best[lower] = MathF.Log(1 - upper);
        best[lower + 1] = MathF.Log(upper);
        Assert.Equal(0, bins.Divergence(best, 0.5f), 5);
        var entropy = -(((1 - upper) * Math.Log(1 - upper)) + (upper * Math.Log(upper)));
        float[] logits = [0.3f, -1.2f, 2f, 0.7f, -0.4f];
        var crossEntropy = Ops.TwoHotCrossEntropy(Tensor.FromArray(logits, 1, 5), [0.5f], bins).Item();
        Assert.Equal(crossEntropy - entropy, bins.Divergence(logits, 0.5f), 5);
        Assert.Equal(-Math.Log(Math.Exp(0.3) / logits.Sum(l => Math.Exp(l))), bins.Divergence(logits, -100f), 5); // clamped onto bin 0: a one-hot
    }

    [Fact]
    public void BadShapesAndBinsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Ops.TwoHotCrossEntropy(Tensor.Zeros(2, 4), [0f, 1f], new TwoHotBins(5, -1f, 1f)));
        Assert.Throws<ArgumentException>(() => Ops.TwoHotCrossEntropy(Tensor.Zeros(2, 5), [0f], new TwoHotBins(5, -1f, 1f)));
        Assert.Throws<ArgumentException>(() => new TwoHotBins(1, -1f, 1f).Validated());
        Assert.Throws<ArgumentException>(() => new TwoHotBins(5, 1f, 1f).Validated());
    }
}
