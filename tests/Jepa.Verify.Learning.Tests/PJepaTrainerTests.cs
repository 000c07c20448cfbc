using System.Collections.Immutable;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="PJepaTrainer"/> on the counting MDP: the theorem's model and its ablations.</summary>
public sealed class PJepaTrainerTests
{
    private static readonly MdpModel Counting = ClassicMdps.Counting();
    private static readonly TrainingData Data = TrainingData.FromMdp(Counting);
    private static readonly Partition Classes = Bisimilarity.Compute(Counting).Partition!;

    private static CollapseReport Analyse(TrainingResult r) => CollapseAnalysis.Analyze(r.Latents, r.LatentDim, Classes, Counting.Labels);

    [Fact]
    public void JointTrainingReachesTheTargetAndSeparatesTheNineCounts()
    {
        // The plain model (no Lipschitz penalty, no certification goal): it stops at the loss target.
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Seed: 0, LipschitzPenalty: 0));
        var report = Analyse(result);
        Assert.Equal(TrainingStatus.Converged, result.Status);
        Assert.True(result.BothLossesBelowTarget);
        Assert.Equal(9, report.Classes);
        Assert.Equal(9, report.Clusters);
        Assert.Equal(0, report.Violations);
        Assert.Equal(1.0, report.Purity);
        Assert.Equal(1.0, report.LabelPurity["count"]);
    }

    [Fact]
    public void DynOnlyTrainingCollapsesEveryLatentWithinTheTolerance()
    {
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Mode: TrainingMode.DynOnly, Seed: 0));
        var report = Analyse(result);
        Assert.True(result.LossDyn < 1e-6, $"L_dyn = {result.LossDyn}");
        Assert.True(result.LossAux > 1e-2, $"L_p = {result.LossAux}: the head was never trained");
        Assert.Equal(TrainingStatus.BudgetExhausted, result.Status);
        Assert.Equal(1, report.Clusters);
        Assert.Equal(report.NonEquivalentPairs, report.Violations);
        Assert.True(report.EffectiveRank < 1.5, $"RankMe = {report.EffectiveRank}");
    }

    [Fact]
    public void AuxOnlyFitsTheTransitionOnDetachedLatentsWithoutMovingTheEncoder()
    {
        var fitted = PJepaTrainer.Train(Data, new PJepaConfig(Mode: TrainingMode.AuxOnly, Seed: 0, Steps: 500));
        var unfitted = PJepaTrainer.Train(Data, new PJepaConfig(Mode: TrainingMode.AuxOnly, Seed: 0, Steps: 500, DynWeight: 0f));
        Assert.True(fitted.LossAux < 1e-4, $"L_p = {fitted.LossAux}");
        // The transition's loss reaches the encoder through neither side: the latents are bit-identical with or without it.
        Assert.Equal(unfitted.Latents.ToArray(), fitted.Latents.ToArray());
        Assert.True(fitted.LossDyn < unfitted.LossDyn / 10, $"L_dyn {fitted.LossDyn} fitted vs {unfitted.LossDyn} untrained");
    }

    [Fact]
    public void SeparateFitsTheHeadOnACollapsedEncoderAndCannotReachTheTarget()
    {
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Mode: TrainingMode.Separate, Seed: 0, Steps: 1500));
        Assert.Equal(3000, result.Steps);
        Assert.True(result.LossDyn < 1e-4);
        Assert.True(result.LossAux > 1e-3, $"L_p = {result.LossAux}");
        Assert.False(result.BothLossesBelowTarget);
    }

    [Fact]
    public void RandomAuxTrainsOnAStandardisedRandomMapOfTheFeatures()
    {
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Mode: TrainingMode.RandomAux, Seed: 3, RandomAuxDim: 4));
        Assert.Equal(4, result.AuxDim);
        Assert.Equal(9 * 4, result.AuxTargets.Length);
        for (var j = 0; j < 4; j++)
        {
            var column = Enumerable.Range(0, 9).Select(o => (double)result.AuxTargets[(o * 4) + j]).ToArray();
            Assert.Equal(0, column.Average(), 5);
            Assert.Equal(1, column.Average(v => v * v), 4);
        }

        Assert.Equal(TrainingStatus.Converged, result.Status);
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalLatentsAndAnotherSeedDoesNot()
    {
        var config = new PJepaConfig(Seed: 5, Steps: 300, BatchSize: 7);
        var a = PJepaTrainer.Train(Data, config);
        var b = PJepaTrainer.Train(Data, config);
        var c = PJepaTrainer.Train(Data, config with { Seed = 6 });
        Assert.Equal(a.Latents.ToArray(), b.Latents.ToArray());
        Assert.Equal(a.History.ToArray(), b.History.ToArray());
        Assert.NotEqual(a.Latents.ToArray(), c.Latents.ToArray());
    }

    [Fact]
    public void AnUncertifiedRunEndsWithTheParametersOfItsBestEvaluation()
    {
        // LossTarget 0: the goal is asked at each budget limit only (100, 150, …, 300). Its best answer is at step 100;
        // the later ones have a collapsed pair, so the run ends with step 100's parameters.
        var config = new PJepaConfig(Seed: 3, Steps: 100, EvalEvery: 50, LossTarget: 0, StepCap: 300);
        var asked = new List<int>();
        var result = PJepaTrainer.Train(Data, config, goal: (_, _) =>
        {
            asked.Add(asked.Count);
            return new CertificationScore(Certified: false, Collapsed: asked.Count > 1, Pairs: 30, BoundSum: 1);
        });
        Assert.Equal(5, asked.Count);
        Assert.Equal(100, result.Steps);
        Assert.Equal(300, result.StepsTrained);
        // Bit-identical to a plain run of 100 steps: the same parameters, not merely close ones.
        var plain = PJepaTrainer.Train(Data, config with { StepCap = 0 });
        Assert.Equal(100, plain.StepsTrained);
        Assert.Equal(plain.Latents.ToArray(), result.Latents.ToArray());
        Assert.Equal(plain.LossDyn, result.LossDyn);
    }

    [Fact]
    public void CertificationScoresRankApartBeforeMorePairsBeforeHigherBounds()
    {
        var collapsed = new CertificationScore(false, true, 100, 10);
        var apart = new CertificationScore(false, false, 50, 1);
        Assert.True(apart.Improves(collapsed));
        Assert.False(collapsed.Improves(apart));
        Assert.True((apart with { Pairs = 51 }).Improves(apart));
        Assert.True((apart with { BoundSum = 1.02 }).Improves(apart));
        Assert.False((apart with { BoundSum = 1.005 }).Improves(apart)); // within 1 %: noise
        Assert.True(new CertificationScore(true, false, 1, 0).Improves(apart));
        Assert.True(apart.Improves(null));
    }

    [Fact]
    public void MultiStepTrainingIsSeededAndFollowsTheWordsItIsGiven()
    {
        // Counting: inc from count0 eight times reaches count8; the words walk both ends of a pair.
        var config = new PJepaConfig(Seed: 1, Steps: 200, Horizon: 4, LossTarget: 0);
        ImmutableArray<int>[] words = [[0, 0, 0, 0, 0], [8, 1, 1, 1, 1]];
        var a = PJepaTrainer.Train(Data, config, words: words);
        var b = PJepaTrainer.Train(Data, config, words: words);
        Assert.Equal(a.Latents.ToArray(), b.Latents.ToArray());
        Assert.NotEqual(a.Latents.ToArray(), PJepaTrainer.Train(Data, config).Latents.ToArray());
        Assert.NotEqual(a.Latents.ToArray(), PJepaTrainer.Train(Data, config with { Horizon = 1 }, words: words).Latents.ToArray());
        // Horizon 1 ignores the words: the one-step losses alone.
        Assert.Equal(PJepaTrainer.Train(Data, config with { Horizon = 1 }).Latents.ToArray(), PJepaTrainer.Train(Data, config with { Horizon = 1 }, words: words).Latents.ToArray());
        Assert.Equal("horizon must be between 1 and 64, got 0", (config with { Horizon = 0 }).Problem());
    }

    [Fact]
    public void StopGradientTargetIsAnOptionThatStillTrains()
    {
        // One-step losses: the stop-gradient comparison is with the paper's model.
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Seed: 1, StopGradTarget: true, Horizon: 1));
        Assert.Equal(TrainingStatus.Converged, result.Status);
        Assert.Equal(0, Analyse(result).Violations);
    }

    [Fact]
    public void ADivergingRunStopsWithAClearMessage()
    {
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Seed: 0, LearningRate: 1e30f, Steps: 200, EvalEvery: 1));
        Assert.Equal(TrainingStatus.Diverged, result.Status);
        Assert.Contains("lower the learning rate", result.Message);
        Assert.True(double.IsNaN(result.LossDyn));
    }

    [Fact]
    public void InvalidConfigAndEmptyDataAreRefused()
    {
        Assert.Throws<ArgumentException>(() => PJepaTrainer.Train(Data, new PJepaConfig(BatchSize: 0)));
        var empty = TrainingData.FromArrays(2, null, 1, [], [0f, 1f]);
        Assert.Throws<ArgumentException>(() => PJepaTrainer.Train(empty, new PJepaConfig()));
    }

    [Fact]
    public void FeaturesOfOneObservationOnlyAreAFormatError()
    {
        var b = new MdpBuilder("features.json");
        var a = b.AddAction("a");
        var (x, _) = b.AddObservation("x");
        var (y, _) = b.AddObservation("y");
        b.SetAux(x, AuxValue.Scalar(0));
        b.SetAux(y, AuxValue.Scalar(1));
        b.SetFeatures(x, [1f, 2f]);
        b.AddTransition(x, a, y);
        b.AddTransition(y, a, x);
        var ex = Assert.Throws<MdpFormatException>(() => TrainingData.FromMdp(b.Build()));
        Assert.Contains("'y' has no features", ex.Message);
    }

    [Fact]
    public void OneHotFeaturesAreUsedWhenTheMdpHasNone()
    {
        Assert.True(Data.OneHot);
        Assert.Equal(9, Data.FeatureDim);
        Assert.Equal([0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f], Data.FeatureRows([2]).ToArray());
    }

    [Fact]
    public void ModelFilesRoundTripAndGiveTheSameLatents()
    {
        var result = PJepaTrainer.Train(Data, new PJepaConfig(Seed: 2, Steps: 100));
        AssertRoundTrips(result, Data);
    }

    /// <summary>Saves the trained model, loads it back, and checks the shape and every latent are identical.</summary>
    internal static void AssertRoundTrips(TrainingResult result, TrainingData data)
    {
        var path = Path.Combine(Path.GetTempPath(), $"jv-model-{Guid.NewGuid():N}.jvm");
        try
        {
            ModelFile.Save(result.Model, path);
            var loaded = ModelFile.Load(path);
            Assert.Equal(result.Model.Shape, loaded.Shape);
            Assert.Equal(result.Latents.ToArray(), loaded.EncodeAll(data));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0, "wrong magic bytes")]
    [InlineData(8, "model format version")]
    [InlineData(100, "checksum mismatch")]
    [InlineData(-1, "checksum mismatch")]
    public void CorruptModelFilesAreOneLineErrorsWithTheOffset(int flipAt, string expected)
    {
        var model = new PJepaModel(new ModelShape(3, 2, 1, 4, 5, 1, Modules.ActivationKind.Relu, false, 0));
        var bytes = ModelFile.Serialize(model);
        var index = flipAt < 0 ? bytes.Length - 1 : flipAt;
        bytes[index] ^= 0x5A;
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Deserialize(bytes, "m.jvm"));
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("m.jvm: byte ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void TruncatedModelFilesAreRefusedAtEveryLength()
    {
        var model = new PJepaModel(new ModelShape(3, 2, 1, 4, 5, 1, Modules.ActivationKind.Mish, true, 9));
        var bytes = ModelFile.Serialize(model);
        for (var length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<ModelFormatException>(() => ModelFile.Deserialize(bytes[..length], "m.jvm"));
        }
    }

    [Fact]
    public void AModelFileLargerThanTheReadLimitIsRefusedBeforeReading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"huge-{Guid.NewGuid():N}.jvm");
        using (var stream = File.Create(path))
        {
            stream.SetLength(Mdp.Formats.TextFile.MaxBytes + 1); // sparse: no disk blocks
        }

        try
        {
            var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
            Assert.Contains("MiB this tool reads into memory here", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AModelFileOfAnotherShapeIsRefusedAsUnreadableNotMisread()
    {
        Assert.Throws<ModelFormatException>(() => ModelFile.Load(Path.Combine(Path.GetTempPath(), "no-such-model.jvm")));
        var random = new SeededRandom(1);
        var junk = new byte[64];
        for (var i = 0; i < junk.Length; i++)
        {
            junk[i] = (byte)random.NextInt(256);
        }

        Assert.Throws<ModelFormatException>(() => ModelFile.Deserialize(junk, "junk.jvm"));
    }
}
