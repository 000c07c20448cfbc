using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// P-JEPA (DESIGN.md §1): encoder <c>E</c> (an MLP over the features, or a convolutional encoder over images), latent transition
/// <c>T̂(z, a)</c> (an MLP over <c>concat(z, onehot(a))</c>) and aux head <c>P̂(z)</c> (an MLP).
/// Parameters are named <c>encoder.*</c>, <c>transition.*</c>, <c>aux_head.*</c>.
/// </summary>
public sealed class PJepaModel : Module
{
    /// <summary>A freshly initialised model (Kaiming-uniform, seeded by <paramref name="shape"/>'s seed).</summary>
    public PJepaModel(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        var random = new SeededRandom(shape.Seed);
        if (shape.Image is { } image)
        {
            if (image.Problem(shape.FeatureDim) is { } problem)
            {
                throw new ArgumentException(problem, nameof(shape));
            }

            // ReLU, as in the reference's ResNet-style encoder; the activation of the shape is the heads'.
            Encoder = RegisterModule("encoder", new ConvEncoder(image.Channels, image.Height, image.Width, image.Stages, shape.LatentDim, ActivationKind.Relu, random));
        }
        else
        {
            var encoderSizes = new List<int> { shape.FeatureDim };
            encoderSizes.AddRange(Enumerable.Repeat(shape.HiddenDim, shape.EncoderHiddenLayers));
            encoderSizes.Add(shape.LatentDim);
            Encoder = RegisterModule("encoder", Sequential.Mlp(encoderSizes, shape.Activation, random, shape.LayerNorm));
        }

        Transition = RegisterModule("transition", Sequential.Mlp([shape.LatentDim + shape.Actions, shape.HiddenDim, shape.LatentDim], shape.Activation, random, shape.LayerNorm));
        AuxHead = RegisterModule("aux_head", Sequential.Mlp([shape.LatentDim, .. Enumerable.Repeat(shape.HiddenDim, shape.AuxHiddenLayers), shape.AuxOutputs], shape.Activation, random, shape.LayerNorm));
    }

    /// <summary>The dimensions and architecture.</summary>
    public ModelShape Shape { get; }

    /// <summary>E: features → latent: an MLP (<see cref="Sequential"/>), or a <see cref="ConvEncoder"/> when <see cref="ModelShape.Image"/> is set.</summary>
    public Module Encoder { get; }

    /// <summary>T̂: concat(latent, one-hot action) → next latent.</summary>
    public Sequential Transition { get; }

    /// <summary>P̂: latent → aux (or logits over the two-hot bins, <see cref="ModelShape.TwoHot"/>).</summary>
    public Sequential AuxHead { get; }

    /// <summary>The latents of a batch of feature rows, <c>[rows × LatentDim]</c>.</summary>
    public override Tensor Forward(Tensor input) => Encoder.Forward(input);

    /// <summary>T̂(z, a) for a batch of latents and their actions.</summary>
    public Tensor PredictNext(Tensor latents, int[] actions) =>
        Transition.Forward(Ops.Concat(latents, Ops.OneHot(actions, Shape.Actions)));

    /// <summary>P̂(z) for a batch of latents: the aux, or a two-hot head's logits.</summary>
    public Tensor PredictAux(Tensor latents) => AuxHead.Forward(latents);

    /// <summary>The latents of every observation of <paramref name="data"/> (no gradient, in chunks), row-major <c>[observations × LatentDim]</c>.</summary>
    public float[] EncodeAll(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Encode(data.Observations, rows => data.FeatureRows(rows));
    }

    /// <summary>The latents of row-major feature rows <c>[rows × FeatureDim]</c> (no gradient, in chunks), row-major <c>[rows × LatentDim]</c>.</summary>
    /// <exception cref="ArgumentException">When <paramref name="features"/> does not hold whole rows of <see cref="ModelShape.FeatureDim"/>.</exception>
    public float[] Encode(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var width = Shape.FeatureDim;
        if (features.Length % width != 0)
        {
            throw new ArgumentException($"{features.Length} values are not whole rows of {width} features", nameof(features));
        }

        return Encode(features.Length / width, rows =>
        {
            var x = Tensor.Zeros(rows.Length, width);
            Array.Copy(features, rows[0] * width, x.Data, 0, x.Length);
            return x;
        });
    }

    /// <summary>Encodes <paramref name="count"/> rows in chunks of consecutive rows given by <paramref name="rowsOf"/>.</summary>
    private float[] Encode(int count, Func<int[], Tensor> rowsOf)
    {
        const int chunk = 512;
        var d = Shape.LatentDim;
        var result = new float[count * d];
        using var _ = GradMode.NoGrad();
        for (var start = 0; start < count; start += chunk)
        {
            var z = Forward(rowsOf([.. Enumerable.Range(start, Math.Min(chunk, count - start))]));
            Array.Copy(z.Data, 0, result, start * d, z.Length);
        }

        return result;
    }
}
