using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Optimizers;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Collapse;

/// <summary>
/// The reference code's decoder probe: how much of the image the latents keep. A decoder is trained on detached latents
/// to reconstruct the images, and scored on held-out observations against the best constant answer (the training
/// images' mean). A decoder no better than that baseline finds nothing of the image in the latents beyond its average.
/// </summary>
/// <remarks>
/// The decoder is an MLP <c>latent → hidden → pixels</c> (ReLU) whose output bias starts at the training mean image, trained by Adam (lr 1e-3) on the per-pixel squared error
/// in minibatches of 64 drawn with a seeded random source; the latents are standardised per dimension with the
/// training split's mean and deviation first, so that a collapsed but not constant latent is read as well as a wide one.
/// The reference decodes with a transposed convolution stack; an MLP of this size is what 2 CPU cores afford, which makes
/// the probe weaker, never stronger, than the reference's.
/// </remarks>
public static class DecoderProbe
{
    /// <summary>The width of the decoder's hidden layer.</summary>
    public const int Hidden = 256;

    private const int Batch = 64;

    /// <summary>Trains a decoder on <paramref name="train"/> and scores it on <paramref name="test"/>.</summary>
    /// <param name="train">Training latents and images, row-major.</param>
    /// <param name="test">Held-out latents and images, row-major.</param>
    /// <param name="latentDim">The latent dimension.</param>
    /// <param name="pixels">Values per image.</param>
    /// <param name="steps">Adam steps.</param>
    /// <param name="seed">Seeds the initialisation and the minibatches.</param>
    /// <returns>The per-pixel mean squared error on the held-out images, the baseline's, and the held-out reconstructions.</returns>
    /// <exception cref="ArgumentException">When the arrays do not hold whole rows or a split is empty.</exception>
    public static (double Mse, double BaselineMse, float[] Reconstructions) Fit(
        (float[] Latents, float[] Images) train, (float[] Latents, float[] Images) test, int latentDim, int pixels, int steps, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var n = Rows(train, latentDim, pixels, nameof(train));
        var m = Rows(test, latentDim, pixels, nameof(test));
        var (mean, scale) = Standardisation(train.Latents, n, latentDim);
        var trainZ = Standardise(train.Latents, mean, scale);
        var testZ = Standardise(test.Latents, mean, scale);

        var random = new SeededRandom(seed);
        var decoder = Sequential.Mlp([latentDim, Hidden, pixels], ActivationKind.Relu, random);
        var meanImage = new double[pixels];
        for (var r = 0; r < n; r++)
        {
            for (var p = 0; p < pixels; p++)
            {
                meanImage[p] += train.Images[(r * pixels) + p] / (double)n;
            }
        }

        // The output starts at the baseline's answer (its bias is the mean image), so the steps are spent on what the latents add.
        var output = (Linear)decoder.Layers[^1];
        for (var p = 0; p < pixels; p++)
        {
            output.Bias!.Data[p] = (float)meanImage[p];
        }

        var optimizer = new Adam(decoder.Parameters(), 1e-3f);
        var rows = new int[Math.Min(Batch, n)];
        for (var step = 0; step < steps; step++)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = random.NextInt(n);
            }

            var loss = Ops.MseLoss(decoder.Forward(Gather(trainZ, rows, latentDim)), Gather(train.Images, rows, pixels));
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }

        var reconstructions = new float[m * pixels];
        using (GradMode.NoGrad())
        {
            for (var start = 0; start < m; start += 256)
            {
                int[] chunk = [.. Enumerable.Range(start, Math.Min(256, m - start))];
                var y = decoder.Forward(Gather(testZ, chunk, latentDim));
                Array.Copy(y.Data, 0, reconstructions, start * pixels, y.Length);
            }
        }

        double error = 0, baseline = 0;
        for (var r = 0; r < m; r++)
        {
            for (var p = 0; p < pixels; p++)
            {
                double target = test.Images[(r * pixels) + p];
                error += Math.Pow(reconstructions[(r * pixels) + p] - target, 2);
                baseline += Math.Pow(meanImage[p] - target, 2);
            }
        }

        var count = (double)m * pixels;
        return (error / count, baseline / count, reconstructions);
    }

    private static int Rows((float[] Latents, float[] Images) split, int latentDim, int pixels, string name)
    {
        ArgumentNullException.ThrowIfNull(split.Latents, name);
        ArgumentNullException.ThrowIfNull(split.Images, name);
        var rows = split.Latents.Length / latentDim;
        if (rows == 0 || split.Latents.Length != rows * latentDim || split.Images.Length != (long)rows * pixels)
        {
            throw new ArgumentException($"{name}: {split.Latents.Length} latent values and {split.Images.Length} pixel values are not the same number (≥ 1) of rows of {latentDim} and {pixels}", name);
        }

        return rows;
    }

    /// <summary>Each coordinate's training mean, and 1 / its deviation (0 for a constant coordinate, which carries nothing and is read as 0).</summary>
    private static (double[] Mean, double[] Scale) Standardisation(float[] latents, int n, int dim)
    {
        var (mean, scale) = LatentProbe.MeanAndDeviation(latents, dim, [.. Enumerable.Range(0, n)]);
        for (var j = 0; j < dim; j++)
        {
            scale[j] = scale[j] > 1e-12 ? 1 / scale[j] : 0;
        }

        return (mean, scale);
    }

    private static float[] Standardise(float[] latents, double[] mean, double[] scale)
    {
        var dim = mean.Length;
        var z = new float[latents.Length];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = (float)((latents[i] - mean[i % dim]) * scale[i % dim]);
        }

        return z;
    }

    private static Tensor Gather(float[] values, int[] rows, int width)
    {
        var x = Tensor.Zeros(rows.Length, width);
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(values, rows[i] * width, x.Data, i * width, width);
        }

        return x;
    }
}
