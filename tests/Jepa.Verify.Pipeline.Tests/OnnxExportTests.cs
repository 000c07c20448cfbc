using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline.Onnx;
using Xunit;

namespace Jepa.Verify.Pipeline.Tests;

/// <summary>Tests for <see cref="OnnxExport"/>: our models, exported and run by ONNX Runtime, give what our engine gives.</summary>
public sealed class OnnxExportTests
{
    [Theory]
    [InlineData("counting.json", ActivationKind.Relu, false, 1500)]
    [InlineData("gridworld.json", ActivationKind.Mish, true, 300)]
    [InlineData("counting.json", ActivationKind.Tanh, false, 300)]
    public void ExportedModelsGiveTheSameLatentsLossesAndVerdictThroughOnnxRuntime(string example, ActivationKind activation, bool layerNorm, int steps)
    {
        var mdp = MdpLoader.Load(Fixtures.Example(example));
        var data = TrainingData.FromMdp(mdp);
        var result = PJepaTrainer.Train(data, new PJepaConfig(Steps: steps, Activation: activation, LayerNorm: layerNorm, Seed: 3));
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-onnx-export", Guid.NewGuid().ToString("N"));
        var files = OnnxExport.Write(result.Model, dir);
        Assert.Equal(["encoder.onnx", "transition.onnx", "aux_head.onnx"], files.Select(Path.GetFileName));

        using var onnx = OnnxJepa.Load(files[0], files[1], files[2]);
        var z = onnx.Encode(data);
        Assert.Equal(result.LatentDim, z.Dim);
        for (var i = 0; i < z.Values.Length; i++)
        {
            Assert.True(Math.Abs(z.Values[i] - result.Latents[i]) <= 1e-5 * Math.Max(1, Math.Abs(result.Latents[i])), $"latent {i}: {z.Values[i]} vs {result.Latents[i]}");
        }

        var bisimulation = Bisimilarity.Compute(mdp);
        var assessed = Assessment.Run(mdp, bisimulation, data, z, onnx, result.Config.LossTarget, CollapseOptions.Default);
        AssertClose(result.LossDyn, assessed.LossDyn!.Value);
        AssertClose(result.LossAux, assessed.LossAux!.Value);
        Assert.Equal(result.BothLossesBelowTarget, assessed.LossesBelowTarget);

        var trained = CollapseAnalysis.Analyze(result.Latents, result.LatentDim, bisimulation.Partition!, mdp.Labels);
        Assert.Equal(trained.Violations, assessed.Report.Violations);
        Assert.Equal(trained.Clusters, assessed.Report.Clusters);

        // Distances of latents that agree to 1e-5 relative differ by at most 2·√d·1e-5·max|z| (here over the RMS scale).
        var bound = 2 * Math.Sqrt(result.LatentDim) * 1e-5 * Math.Max(1, result.Latents.Max(Math.Abs)) / trained.Scale;
        Assert.InRange(assessed.Report.MinNonEquivalentDistance!.Value - trained.MinNonEquivalentDistance!.Value, -bound, bound);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void TheGraphsDeclareTheContractsInputs()
    {
        var model = new PJepaModel(new ModelShape(9, 2, 1, 16, 8, 1, ActivationKind.Relu, false, 1));
        var files = OnnxExport.Write(model, Path.Combine(Path.GetTempPath(), "jepa-verify-onnx-export", Guid.NewGuid().ToString("N")));
        using var onnx = OnnxJepa.Load(files[0], files[1], files[2]);
        Assert.True(onnx.HasTransition && onnx.HasAuxHead);
        var e = Assert.Throws<MdpFormatException>(() => onnx.Encode(TrainingData.FromMdp(MdpLoader.Load(Fixtures.Example("gridworld.json")))));
        Assert.Contains("input 'obs' takes [9] = 9 values per observation, but the observations have 12", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Equal up to float32 rounding: 1e-5 relative, plus 1e-8 absolute for small losses, which are differences of nearly equal
    /// vectors (ONNX Runtime's tanh differs from ours by about 1e-7, which moves a loss of 8.6e-5 by 2.6e-9).
    /// </summary>
    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= (1e-5 * Math.Abs(expected)) + 1e-8, $"{actual} vs {expected}");

    [Fact]
    public void ATwoHotAuxHeadIsNotExportedButIsCertifiedInSymlogSpace()
    {
        var data = TrainingData.FromMdp(MdpLoader.Load(Fixtures.Example("counting.json")));
        var model = new PJepaModel(ModelShape.For(data, new PJepaConfig(TwoHot: new Learning.Autograd.TwoHotBins()), 1));
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-onnx-export", Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExport.Write(model, dir));
        Assert.Contains("two-hot", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));

        // The aux head's chain ends with the softmax expectation over the 101 bins on [−10, 10] (constant 10), and predicts
        // clamp(symlog(p)): the certificate's aux targets are those.
        var (heads, why) = Separation.HeadsOf(model);
        Assert.Null(why);
        var aux = Assert.IsType<Learning.Certify.HeadChain>(heads!.AuxHead);
        Assert.Equal(Learning.Certify.HeadLayerKind.SoftmaxExpectation, aux.Layers[^1].Kind);
        Assert.Equal(1, aux.Outputs);
        Assert.Equal("symlog", heads.AuxTargetName);
        Assert.Equal(Math.Log(2), heads.AuxTarget!(1), 6);
        Assert.Equal(10, heads.AuxTarget!(1e9), 6);
        var logits = HeadChainOf(model);
        Assert.InRange(aux.Lipschitz(16), 0, logits.Lipschitz(16) * 10 * (1 + 1e-9));
    }

    private static Learning.Certify.HeadChain HeadChainOf(PJepaModel model) => Learning.Certify.HeadChain.FromModule(model.AuxHead);
}
