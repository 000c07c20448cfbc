using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;
using Xunit;

namespace Jepa.Verify.Testing.Tests;

/// <summary>Tests for <see cref="CollapseAssert"/>: latents from "a user's model" given as plain arrays.</summary>
public sealed class CollapseAssertTests
{
    private static readonly MdpModel Counting = MdpLoader.Load(MdpAssertTests.Example("counting.json"));

    [Fact]
    public void DistinctLatentsPassAndASharedLatentForBisimilarObservationsIsHealthy()
    {
        var oneHot = Enumerable.Range(0, 9).Select(c => Enumerable.Range(0, 9).Select(j => j == c ? 1f : 0f).ToArray()).ToArray();
        var report = CollapseAssert.NoUnhealthyCollapse(Counting, oneHot);
        Assert.Equal(9, report.Clusters);

        // A mirrored ring: rooms 1 and 3 are bisimilar, so one latent for both is allowed.
        var ring = new MdpBuilder("ring");
        ring.AddAction("cw");
        for (var i = 0; i < 4; i++)
        {
            var (s, _) = ring.AddObservation($"room{i}");
            ring.SetAux(s, AuxValue.Scalar(i % 2 == 0 ? 1 : 0));
            ring.AddTransition(i, 0, (i + 1) % 4);
        }

        var mdp = ring.Build();
        var latents = new Dictionary<string, float[]> { ["room0"] = [1, 0], ["room1"] = [0, 1], ["room2"] = [1, 0], ["room3"] = [0, 1] };
        Assert.Equal(2, CollapseAssert.NoUnhealthyCollapse(mdp, latents).Clusters);
    }

    [Fact]
    public void ACollapsedEncoderFailsNamingTheClosestPairs()
    {
        var almostConstant = Enumerable.Range(0, 9).Select(c => new[] { 1f, c == 4 ? 1.5f : 1f + (c * 1e-6f) }).ToArray();
        var error = Assert.Throws<JepaAssertionException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, almostConstant));
        Assert.Contains("unhealthy collapse in", error.Message);
        Assert.Contains("28 of 36 non-bisimilar pairs", error.Message);
        Assert.Contains("count0 ~ count1", error.Message);

        // Complete collapse is what a transition-only ablation should show; one separated count breaks it.
        Assert.Throws<JepaAssertionException>(() => CollapseAssert.CompletelyCollapsed(Counting, almostConstant));
        CollapseAssert.CompletelyCollapsed(Counting, [.. Enumerable.Repeat(new[] { 0.5f, 0.5f }, 9)]);
    }

    [Fact]
    public void LatentsOfTheWrongShapeAreArgumentErrors()
    {
        Assert.Throws<ArgumentException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, [[1f]]));
        var ragged = Enumerable.Range(0, 9).Select(c => new float[c == 3 ? 2 : 3]).ToArray();
        Assert.Contains("'count3' has length 2", Assert.Throws<ArgumentException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, ragged)).Message);
        var nan = Enumerable.Range(0, 9).Select(c => new[] { c == 5 ? float.NaN : c }).ToArray();
        Assert.Contains("must be finite", Assert.Throws<ArgumentException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, nan)).Message);
        Assert.Throws<ArgumentException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, new Dictionary<string, float[]> { ["count0"] = [1f] }));
    }

    [Fact]
    public void LatentsOfAJointlyTrainedModelPassAndThoseOfTheTransitionOnlyAblationCollapse()
    {
        // "Your model": here P-JEPA from Jepa.Verify.Learning, read out as plain arrays the way a user's encoder would be.
        static float[][] Latents(TrainingMode mode)
        {
            var result = PJepaTrainer.Train(TrainingData.FromMdp(Counting), new PJepaConfig(Mode: mode, LatentDim: 8, Steps: 2000, Seed: 3));
            return [.. Enumerable.Range(0, 9).Select(o => result.Latents.Skip(o * result.LatentDim).Take(result.LatentDim).ToArray())];
        }

        CollapseAssert.NoUnhealthyCollapse(Counting, Latents(TrainingMode.Joint));
        Assert.Throws<JepaAssertionException>(() => CollapseAssert.NoUnhealthyCollapse(Counting, Latents(TrainingMode.DynOnly)));
    }

    [Fact]
    public void AModelExportedFromPyTorchPassesFromItsOnnxFilesAndItsLatentsFile()
    {
        // The fixtures: a JEPA trained by PyTorch on counting.json (tests/Jepa.Verify.Pipeline.Tests/Fixtures/make_fixtures.py).
        static string Fixture(string name) => Path.Combine(Path.GetDirectoryName(MdpAssertTests.Example("counting.json"))!, "..", "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures", name);

        var assessment = CollapseAssert.NoUnhealthyCollapseOfOnnxModel(Counting, Fixture("encoder.onnx"), Fixture("transition.onnx"), Fixture("aux_head.onnx"));
        Assert.True(assessment.TheoremHolds);
        CollapseAssert.NoUnhealthyCollapseInFile(Counting, Fixture("latents.npy"));
        CollapseAssert.NoUnhealthyCollapseInFile(Counting, Fixture("latents.csv"));

        var collapsed = Assert.Throws<JepaAssertionException>(() => CollapseAssert.NoUnhealthyCollapseOfOnnxModel(Counting, Fixture("collapsed_encoder.onnx")));
        Assert.Contains("36 of 36 non-bisimilar pairs", collapsed.Message, StringComparison.Ordinal);
        var premise = Assert.Throws<JepaAssertionException>(() => CollapseAssert.NoUnhealthyCollapseOfOnnxModel(Counting, Fixture("encoder.onnx"), Fixture("transition.onnx"), Fixture("aux_head.onnx"), lossTarget: 1e-7));
        Assert.Contains("the premise fails", premise.Message, StringComparison.Ordinal);
    }
}
