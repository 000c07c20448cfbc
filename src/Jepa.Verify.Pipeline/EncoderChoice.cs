using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Pipeline;

/// <summary>Which encoder P-JEPA trains: chosen from the MDP's <c>"feature_shape"</c>, or named.</summary>
public enum EncoderChoice
{
    /// <summary>The convolutional encoder when the MDP says its features are images (<see cref="MdpModel.HasImageFeatures"/>), else the MLP.</summary>
    Auto,

    /// <summary>The MLP, whatever the features are.</summary>
    Mlp,

    /// <summary>The convolutional encoder; the MDP must say its features are images.</summary>
    Conv,
}

/// <summary>Resolves an <see cref="EncoderChoice"/> against an MDP.</summary>
public static class Encoders
{
    /// <summary>The names <see cref="Parse"/> takes, in order.</summary>
    public static readonly string[] Names = ["auto", "mlp", "conv"];

    /// <summary>The choice named <paramref name="name"/> (one of <see cref="Names"/>), or null.</summary>
    public static EncoderChoice? Parse(string name) => Array.IndexOf(Names, name) is var i and >= 0 ? (EncoderChoice)i : null;

    /// <summary>
    /// <paramref name="config"/> with the encoder <paramref name="choice"/> gives on <paramref name="mdp"/>. A config that
    /// already has an image encoder (given its shape explicitly) keeps it, and it must fit the features; otherwise
    /// <see cref="EncoderChoice.Auto"/> and <see cref="EncoderChoice.Conv"/> read images of the MDP's feature shape
    /// (<c>[C, H, W]</c>, or <c>[H, W]</c> as one channel) with <paramref name="stages"/> (null: the default widths).
    /// </summary>
    /// <exception cref="PipelineException">Conv on an MDP without an image feature shape, an MLP asked for with an image shape given, or a shape the features do not have.</exception>
    public static PJepaConfig Resolve(PJepaConfig config, MdpModel mdp, EncoderChoice choice, IReadOnlyList<int>? stages = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(mdp);
        var features = mdp.Features.FirstOrDefault(f => !f.IsDefault);
        if (config.ImageEncoder is { } given)
        {
            if (choice == EncoderChoice.Mlp)
            {
                throw new PipelineException("an image shape was given for the convolutional encoder, but the MLP was asked for; drop one of them");
            }

            return features.IsDefault || given.FeatureDim != features.Length
                ? throw new PipelineException(features.IsDefault
                    ? $"the convolutional encoder needs observations with \"features\"; {mdp.Source} has none"
                    : $"{given.Channels}x{given.Height}x{given.Width} images have {given.FeatureDim} features, but the observations of {mdp.Source} have {features.Length}")
                : config;
        }

        if (choice == EncoderChoice.Mlp || (choice == EncoderChoice.Auto && !mdp.HasImageFeatures))
        {
            return config;
        }

        if (!mdp.HasImageFeatures)
        {
            throw new PipelineException($"the convolutional encoder reads images, but {mdp.Source} does not say its features are images; add \"feature_shape\": [C, H, W] (channel-major) to it, or give the image shape");
        }

        var shape = mdp.FeatureShape;
        var (c, h, w) = shape.Length == 3 ? (shape[0], shape[1], shape[2]) : (1, shape[0], shape[1]);
        var image = new ImageEncoderShape(c, h, w, stages is null ? ImageEncoderShape.DefaultStages : [.. stages]);
        if (image.Problem() is { } problem)
        {
            // Too small for the stem: the MLP reads it (auto), or the user hears why (conv).
            return choice == EncoderChoice.Auto ? config : throw new PipelineException($"{mdp.Source}'s \"feature_shape\" [{string.Join(", ", shape)}]: {problem}");
        }

        return config with { ImageEncoder = image };
    }
}
