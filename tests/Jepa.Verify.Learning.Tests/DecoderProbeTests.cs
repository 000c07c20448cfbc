using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>Tests for <see cref="DecoderProbe"/>: latents that carry the image beat the mean image; latents that carry nothing do not.</summary>
public sealed class DecoderProbeTests
{
    private const int Pixels = 48, Dim = 4;

    /// <summary>Images made of <see cref="Dim"/> random patterns with random weights; the latents are the weights, or a constant.</summary>
    private static ((float[] Latents, float[] Images) Train, (float[] Latents, float[] Images) Test) Data(bool informative)
    {
        var random = new SeededRandom(11);
        var patterns = Enumerable.Range(0, Dim * Pixels).Select(_ => random.NextFloat(-0.25f, 0.25f)).ToArray();
        (float[], float[]) Split(int n)
        {
            var latents = new float[n * Dim];
            var images = new float[n * Pixels];
            for (var r = 0; r < n; r++)
            {
                for (var k = 0; k < Dim; k++)
                {
                    var w = random.NextFloat(-1f, 1f);
                    latents[(r * Dim) + k] = informative ? w : 0.5f;
                    for (var p = 0; p < Pixels; p++)
                    {
                        images[(r * Pixels) + p] += w * patterns[(k * Pixels) + p];
                    }
                }
            }

            return (latents, images);
        }

        return (Split(400), Split(100));
    }

    [Fact]
    public void LatentsThatCarryTheImageBeatTheMeanImage()
    {
        var (train, test) = Data(informative: true);
        var (mse, baseline, reconstructions) = DecoderProbe.Fit(train, test, Dim, Pixels, steps: 600, seed: 1);
        Assert.True(mse < baseline / 5, $"decoder {mse} vs mean image {baseline}");
        Assert.Equal(100 * Pixels, reconstructions.Length);
    }

    [Fact]
    public void LatentsThatCarryNothingDoNoBetterThanTheMeanImage()
    {
        var (train, test) = Data(informative: false);
        var (mse, baseline, _) = DecoderProbe.Fit(train, test, Dim, Pixels, steps: 600, seed: 1);
        Assert.True(mse >= baseline * 0.99, $"decoder {mse} vs mean image {baseline}");
        Assert.True(mse <= baseline * 1.05, $"decoder {mse} vs mean image {baseline}: it starts at the mean image");
    }

    [Fact]
    public void TheSameSeedGivesTheSameReconstructions()
    {
        var (train, test) = Data(informative: true);
        Assert.Equal(DecoderProbe.Fit(train, test, Dim, Pixels, 50, 3).Reconstructions, DecoderProbe.Fit(train, test, Dim, Pixels, 50, 3).Reconstructions);
        Assert.Throws<ArgumentException>(() => DecoderProbe.Fit(([1f], [1f, 2f]), test, Dim, Pixels, 1, 0));
    }
}
