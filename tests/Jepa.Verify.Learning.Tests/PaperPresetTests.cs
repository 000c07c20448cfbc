using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>
/// Tests for <see cref="PJepaConfig.Paper"/> and what it switches on in <see cref="PJepaTrainer"/>: the two-hot aux head
/// (<see cref="PJepaConfig.TwoHot"/>), the consistency weight, the encoder's learning-rate scale and the deeper aux head.
/// </summary>
public sealed class PaperPresetTests
{
    private static readonly TrainingData Data = TrainingData.FromMdp(ClassicMdps.Counting());

    [Fact]
    public void ThePresetIsTheReferenceCodesLossesAndOptimiser()
    {
        var baseline = new PJepaConfig(Mode: TrainingMode.DynOnly, Seed: 7, Steps: 123);
        var paper = PJepaConfig.Paper(baseline);
        Assert.Equal((TrainingMode.DynOnly, 7UL, 123), (paper.Mode, paper.Seed, paper.Steps));
        Assert.Equal(new TwoHotBins(101, -10f, 10f), paper.TwoHot);
        Assert.Equal((256, 512, 2, ActivationKind.Mish, true), (paper.LatentDim, paper.HiddenDim, paper.AuxHiddenLayers, paper.Activation, paper.LayerNorm));
        Assert.Equal((2f / 256, 2f, 3e-4f, 0.3f, 200f, 256), (paper.DynWeight, paper.AuxWeight, paper.LearningRate, paper.EncoderLearningRateScale, paper.GradClipNorm, paper.BatchSize));
        Assert.Equal((0f, false), (paper.LipschitzPenalty, paper.StopGradTarget));
        Assert.Null(paper.Problem());
    }

    [Fact]
    public void ATwoHotHeadTrainsTowardsZeroDivergenceAndDecodesTheAux()
    {
        // The KL divergence falls slowly (the logits of the other bins must go to −∞): 2.4e-4 after these 3,000 steps.
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Seed: 1, Steps: 3000, TwoHot: new TwoHotBins(21, -2f, 2f)));
        Assert.True(result.LossAux < 1e-3, $"KL = {result.LossAux}");
        var logits = result.Model.PredictAux(Tensor.FromArray([.. result.Latents], Data.Observations, result.LatentDim));
        for (var o = 0; o < Data.Observations; o++)
        {
            Assert.Equal(Data.Aux[o], new TwoHotBins(21, -2f, 2f).Decode(logits.Data.AsSpan(o * 21, 21)), 0.02f);
        }
    }

    [Fact]
    public void TheReportedAuxLossIsTheMeanKlDivergenceOverTheTransitions()
    {
        var bins = new TwoHotBins(11, -1f, 1f);
        var model = new PJepaModel(ModelShape.For(Data, new PJepaConfig(Seed: 3, TwoHot: bins), 1));
        var (_, aux) = PJepaTrainer.FullLosses(model, Data);
        var z = Tensor.FromArray(model.EncodeAll(Data), Data.Observations, model.Shape.LatentDim);
        var logits = model.PredictAux(z);
        var expected = Enumerable.Range(0, Data.TransitionCount).Average(t => bins.Divergence(logits.Data.AsSpan(Data.From[t] * 11, 11), Data.Aux[Data.From[t]]));
        Assert.Equal(expected, aux, 8);
        Assert.True(aux > 0.1, $"an untrained head is far from the targets: {aux}");
    }

    [Fact]
    public void ThePaperModelRoundTripsThroughTheModelFile()
    {
        var result = PJepaTrainer.Train(Data, PJepaConfig.Paper(new PJepaConfig(Seed: 2, Steps: 20)) with { LatentDim = 8, HiddenDim = 16 });
        Assert.Equal(3, result.Model.AuxHead.Layers.Count(l => l is Linear));
        Assert.Equal(101, ((Linear)result.Model.AuxHead.Layers[^1]).Outputs);
        PJepaTrainerTests.AssertRoundTrips(result, Data);
    }

    [Fact]
    public void TheEncodersLearningRateIsScaled()
    {
        static (double Encoder, double Transition) FirstStep(float scale)
        {
            var config = new PJepaConfig(Seed: 4, Steps: 1, EncoderLearningRateScale: scale);
            var before = new PJepaModel(ModelShape.For(Data, config, 1));
            var after = PJepaTrainer.Train(Data, config).Model;
            static double Moved(Module a, Module b) => Math.Sqrt(a.Parameters().Zip(b.Parameters()).Sum(p => p.First.Data.Zip(p.Second.Data).Sum(x => Math.Pow(x.First - x.Second, 2))));
            return (Moved(before.Encoder, after.Encoder), Moved(before.Transition, after.Transition));
        }

        var (fullEncoder, fullTransition) = FirstStep(1f);
        var (scaledEncoder, scaledTransition) = FirstStep(0.3f);
        Assert.Equal(0.3, scaledEncoder / fullEncoder, 4);
        Assert.Equal(fullTransition, scaledTransition, 9);
    }

    [Fact]
    public void TheLossWeightsApplyInTheModesThatTrainOneLoss()
    {
        // A zero weight leaves the trained loss without gradient: Adam then never moves the encoder.
        var config = new PJepaConfig(Seed: 6, Steps: 20);
        var initial = new PJepaModel(ModelShape.For(Data, config, 1)).EncodeAll(Data);
        Assert.Equal(initial, PJepaTrainer.Train(Data, config with { Mode = TrainingMode.DynOnly, DynWeight = 0f }).Latents.ToArray());
        Assert.Equal(initial, PJepaTrainer.Train(Data, config with { Mode = TrainingMode.AuxOnly, AuxWeight = 0f }).Latents.ToArray());
        Assert.NotEqual(initial, PJepaTrainer.Train(Data, config with { Mode = TrainingMode.DynOnly }).Latents.ToArray());
    }

    [Fact]
    public void ATwoHotHeadNeedsAScalarAux()
    {
        var vector = Data.WithAux([.. Enumerable.Range(0, 2 * Data.Observations).Select(i => (float)(i % 3))]);
        var ex = Assert.Throws<ArgumentException>(() => PJepaTrainer.Train(vector, new PJepaConfig(Steps: 1, TwoHot: new TwoHotBins())));
        Assert.Contains("scalar aux", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(new PJepaConfig(TwoHot: new TwoHotBins(1, 0f, 1f)).Problem());
        Assert.NotNull(new PJepaConfig(EncoderLearningRateScale: 0f).Problem());
        Assert.NotNull(new PJepaConfig(DynWeight: float.NaN).Problem());
    }
}
