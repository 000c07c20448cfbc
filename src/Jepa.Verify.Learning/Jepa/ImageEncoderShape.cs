using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// A convolutional encoder (<see cref="Modules.ConvEncoder"/>) in place of the MLP: the observation features are read as
/// <paramref name="Channels"/>×<paramref name="Height"/>×<paramref name="Width"/> images, channel-major.
/// </summary>
/// <param name="Channels">Image channels (3 for RGB).</param>
/// <param name="Height">Image height in pixels (at least 4).</param>
/// <param name="Width">Image width in pixels (at least 4).</param>
/// <param name="Stages">Channels of the stem and of each residual stage, e.g. <c>[16, 32, 64]</c>.</param>
public sealed record ImageEncoderShape(int Channels, int Height, int Width, ImmutableArray<int> Stages)
{
    /// <summary>
    /// The CPU-sized default stage widths, <c>16, 32, 64</c> (the reference's residual stages are wider; docs/counting.md
    /// says what is scaled down).
    /// </summary>
    public static readonly ImmutableArray<int> DefaultStages = [16, 32, 64];

    /// <summary>Images of this size with <see cref="DefaultStages"/>.</summary>
    public static ImageEncoderShape Default(int channels, int height, int width) => new(channels, height, width, DefaultStages);

    /// <summary>The number of features an observation must have: channels × height × width.</summary>
    public long FeatureDim => (long)Channels * Height * Width;

    /// <summary>What is wrong with the shape, or null.</summary>
    public string? Problem() =>
        Channels < 1 || Height < 4 || Width < 4 ? $"images must have at least 1 channel and 4×4 pixels, got {Channels}×{Height}×{Width}"
        : Stages.IsDefaultOrEmpty || Stages.Any(s => s < 1 || s > 4096) ? $"the encoder needs 1 or more stage widths between 1 and 4096, got [{string.Join(", ", Stages.IsDefault ? [] : Stages)}]"
        : null;

    /// <summary>What is wrong with the shape for observations of <paramref name="featureDim"/> features, or null.</summary>
    public string? Problem(int featureDim) =>
        Problem() ?? (FeatureDim != featureDim ? $"{Channels}×{Height}×{Width} images have {FeatureDim} features, the observations have {featureDim}" : null);

    /// <inheritdoc />
    public bool Equals(ImageEncoderShape? other) =>
        other is not null && (Channels, Height, Width) == (other.Channels, other.Height, other.Width) && Stages.SequenceEqual(other.Stages);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Channels, Height, Width, Stages.Length > 0 ? Stages[^1] : 0);
}
