using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for P-JEPA with a convolutional encoder (<see cref="ImageEncoderShape"/>): training, the model file, and the refusals.</summary>
public sealed class ConvPJepaTests
{
    private static readonly ImageEncoderShape Image = new(1, 8, 8, [4, 8]);

    /// <summary>Counts 0–3 clipped by inc/dec, aux 1 at count 2; each count drawn as that many lit pixels, at two layouts.</summary>
    private static MdpModel Pixels()
    {
        var b = new MdpBuilder("pixels");
        var inc = b.AddAction("inc");
        var dec = b.AddAction("dec");
        var ids = new int[4, 2];
        for (var c = 0; c < 4; c++)
        {
            for (var layout = 0; layout < 2; layout++)
            {
                var (o, _) = b.AddObservation($"c{c}l{layout}");
                ids[c, layout] = o;
                b.SetAux(o, AuxValue.Scalar(c == 2 ? 1 : 0));
                var image = new float[64];
                for (var k = 0; k < c; k++)
                {
                    image[(layout == 0 ? 9 : 14) + (k * 17 % 40)] = 1f;
                }

                b.SetFeatures(o, [.. image.Select(v => v - 0.5f)]);
            }
        }

        for (var c = 0; c < 4; c++)
        {
            for (var layout = 0; layout < 2; layout++)
            {
                b.AddTransition(ids[c, layout], inc, ids[Math.Min(c + 1, 3), layout]);
                b.AddTransition(ids[c, layout], dec, ids[Math.Max(c - 1, 0), layout]);
            }
        }

        return b.Build();
    }

    [Fact]
    public void TrainingLearnsThroughTheConvolutionsAndTheModelFileKeepsTheEncoder()
    {
        var data = TrainingData.FromMdp(Pixels());
        var config = new PJepaConfig(Seed: 1, Steps: 300, LatentDim: 8, HiddenDim: 32, LipschitzPenalty: 0, ImageEncoder: Image, Horizon: 1);
        var result = PJepaTrainer.Train(data, config);
        Assert.IsType<ConvEncoder>(result.Model.Encoder);
        var first = result.History[0];
        var last = result.History[^1];
        // The aux loss can only fall by learning through the convolutions (the heads see nothing else); L_dyn starts near 0
        // because freshly initialised latents nearly coincide, and stays small while the aux loss spreads them.
        Assert.True(last.LossAux < first.LossAux / 10 && last.LossDyn < 0.05, $"losses {first.LossDyn}/{first.LossAux} → {last.LossDyn}/{last.LossAux}");
        PJepaTrainerTests.AssertRoundTrips(result, data);
    }

    [Fact]
    public void ImagesThatDoNotMatchTheFeaturesAreRefused()
    {
        var data = TrainingData.FromMdp(Pixels());
        var wrong = new PJepaConfig(Steps: 1, ImageEncoder: new ImageEncoderShape(3, 8, 8, [4]));
        var ex = Assert.Throws<ArgumentException>(() => PJepaTrainer.Train(data, wrong));
        Assert.Contains("3×8×8 images have 192 features, the observations have 64", ex.Message);
        Assert.Contains("stage widths", new PJepaConfig(ImageEncoder: new ImageEncoderShape(1, 8, 8, [])).Problem());
        Assert.Contains("4×4 pixels", new PJepaConfig(ImageEncoder: new ImageEncoderShape(1, 3, 8, [4])).Problem());
    }
}
