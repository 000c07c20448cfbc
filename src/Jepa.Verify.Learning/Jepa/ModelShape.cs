using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>The architecture of a <see cref="PJepaModel"/>: what a model file must record to rebuild it.</summary>
/// <param name="FeatureDim">Encoder input size.</param>
/// <param name="Actions">Number of actions (one-hot size for T̂).</param>
/// <param name="AuxDim">Aux target size (the head's output size, unless <paramref name="TwoHot"/> is set).</param>
/// <param name="LatentDim">Latent size.</param>
/// <param name="HiddenDim">Hidden layer width.</param>
/// <param name="EncoderHiddenLayers">Hidden layers of the encoder.</param>
/// <param name="Activation">Non-linearity of the heads and of an MLP encoder (a convolutional encoder uses ReLU, as the reference's does).</param>
/// <param name="LayerNorm">Whether hidden layers are layer-normalised.</param>
/// <param name="Seed">The initialisation seed.</param>
/// <param name="Image">A convolutional encoder over images of this shape, or null for the MLP encoder
/// (<paramref name="HiddenDim"/> and <paramref name="EncoderHiddenLayers"/> then shape the heads only).</param>
/// <param name="AuxHiddenLayers">Hidden layers of the aux head.</param>
/// <param name="TwoHot">The aux head outputs logits over these bins (a scalar aux, <see cref="PJepaConfig.TwoHot"/>), or null.</param>
public sealed record ModelShape(
    int FeatureDim,
    int Actions,
    int AuxDim,
    int LatentDim,
    int HiddenDim,
    int EncoderHiddenLayers,
    ActivationKind Activation,
    bool LayerNorm,
    ulong Seed,
    ImageEncoderShape? Image = null,
    int AuxHiddenLayers = 1,
    TwoHotBins? TwoHot = null)
{
    /// <summary>The aux head's output size: the bin count of a two-hot head, else <see cref="AuxDim"/>.</summary>
    public int AuxOutputs => TwoHot?.Count ?? AuxDim;

    /// <summary>The shape a training run of <paramref name="config"/> on <paramref name="data"/> builds.</summary>
    public static ModelShape For(TrainingData data, PJepaConfig config, int auxDim)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(config);
        return new ModelShape(data.FeatureDim, data.Actions, auxDim, config.LatentDim, config.HiddenDim,
            config.EncoderHiddenLayers, config.Activation, config.LayerNorm, config.Seed, config.ImageEncoder, config.AuxHiddenLayers, config.TwoHot);
    }
}
