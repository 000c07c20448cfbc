using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline.Latents;
using Jepa.Verify.Pipeline.Onnx;
using Xunit;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>Tests for <see cref="OnnxJepa"/> and <see cref="Assessment"/> on a JEPA trained and exported by PyTorch.</summary>
public sealed class OnnxJepaTests
{
    private static readonly MdpModel Counting = MdpLoader.Load(Fixtures.Example("counting.json"));
    private static readonly TrainingData Data = TrainingData.FromMdp(Counting);

    [Fact]
    public void TheEncoderReproducesTheLatentsPyTorchComputed()
    {
        using var model = OnnxJepa.Load(Fixtures.File("encoder.onnx"), null, null);
        var z = model.Encode(Data);
        var expected = LatentsFile.Read(Fixtures.File("latents.npy"), Counting);
        Assert.Equal((9, 16), (z.Rows, z.Dim));
        for (var i = 0; i < z.Values.Length; i++)
        {
            Assert.True(Math.Abs(z.Values[i] - expected.Values[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected.Values[i])), $"latent {i}: {z.Values[i]} vs {expected.Values[i]}");
        }
    }

    [Fact]
    public void OneHotAndIndexActionsGiveTheSameResidualsAndThePremiseHolds()
    {
        var bisimulation = Bisimilarity.Compute(Counting);
        Assessment Run(string transition)
        {
            using var model = OnnxJepa.Load(Fixtures.File("encoder.onnx"), Fixtures.File(transition), Fixtures.File("aux_head.onnx"));
            return Assessment.Run(Counting, bisimulation, Data, model.Encode(Data), model, 1e-4, CollapseOptions.Default);
        }

        var oneHot = Run("transition.onnx");
        var index = Run("transition_index.onnx");
        Assert.Equal(oneHot.LossDyn!.Value, index.LossDyn!.Value, 12);
        Assert.InRange(oneHot.LossDyn.Value, 1e-7, 2e-5);     // PyTorch stopped below 1e-5
        Assert.InRange(oneHot.LossAux!.Value, 0, 1e-6);
        Assert.True(oneHot.MaxResidualDyn >= oneHot.LossDyn);
        Assert.True(oneHot.LossesBelowTarget);
        Assert.True(oneHot.TheoremHolds);
        Assert.Equal(36, oneHot.Report.NonEquivalentPairs);
        Assert.Equal(0, oneHot.Report.Violations);
    }

    [Fact]
    public void ACollapsedEncoderIsReportedAndThePremiseIsUnmeasuredWithoutHeads()
    {
        using var model = OnnxJepa.Load(Fixtures.File("collapsed_encoder.onnx"), null, null);
        var a = Assessment.Run(Counting, Bisimilarity.Compute(Counting), Data, model.Encode(Data), model, 1e-4, CollapseOptions.Default);
        Assert.Equal(36, a.Report.Violations);
        Assert.False(a.Report.Separated);
        Assert.Null(a.LossDyn);
        Assert.Null(a.LossesBelowTarget);
        Assert.Null(a.TheoremHolds);
    }

    [Fact]
    public void ModelsThatBreakTheContractAreRefusedNamingTheInput()
    {
        string Error(string encoder, string? transition = null, string? aux = null) =>
            Assert.Throws<MdpFormatException>(() => OnnxJepa.Load(Fixtures.File(encoder), transition is null ? null : Fixtures.File(transition), aux is null ? null : Fixtures.File(aux))).Message;

        Assert.Contains("the graph has 1 input(s) ('z'); the transition model takes two", Error("encoder.onnx", transition: "aux_head.onnx"), StringComparison.Ordinal);
        Assert.Contains("the graph has 2 input(s) ('z', 'action'); the aux head takes one", Error("encoder.onnx", aux: "transition.onnx"), StringComparison.Ordinal);
        Assert.Contains("not an ONNX model ONNX Runtime can load", Error("latents.csv"), StringComparison.Ordinal);
        Assert.Contains("--encoder: the file does not exist", Error("missing.onnx"), StringComparison.Ordinal);

        var grid = MdpLoader.Load(Fixtures.Example("gridworld.json"));
        using var model = OnnxJepa.Load(Fixtures.File("encoder.onnx"), null, null);
        var e = Assert.Throws<MdpFormatException>(() => model.Encode(TrainingData.FromMdp(grid)));
        Assert.Contains("input 'obs' takes [9] = 9 values per observation, but the observations have 12 (one-hot ids", e.Message, StringComparison.Ordinal);
    }
}
