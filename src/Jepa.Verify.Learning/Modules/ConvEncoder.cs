using System.Collections.Immutable;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Modules;

/// <summary>
/// The paper's reference image encoder, at a width of our choosing: a 7×7 stride-2 stem convolution, 3×3 stride-2
/// max pooling, one <see cref="ResidualBlock"/> per stage (the first keeps the resolution, each later one halves
/// it), global average pooling and a linear map to the latent. No normalisation layers.
/// Its input is a batch of flat images <c>[N, channels·height·width]</c> (channel-major, as the features of an
/// image observation are stored), already scaled (the reference feeds x/255 − 0.5).
/// </summary>
public sealed class ConvEncoder : Module
{
    private readonly Conv2d stem;
    private readonly ImmutableArray<ResidualBlock> stages;
    private readonly Linear head;
    private readonly Activation activation;

    /// <summary>An encoder of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> images.</summary>
    /// <param name="channels">Image channels (3 for RGB).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="stageWidths">Channels of the stem and of each stage, e.g. <c>[16, 32, 64]</c> (the first is the stem's too).</param>
    /// <param name="latentDim">The latent dimension.</param>
    /// <param name="activation">The non-linearity (the reference: ReLU).</param>
    /// <param name="random">The seeded source of the initial weights.</param>
    /// <exception cref="ArgumentException">When the image is too small for the stem and pooling, or a size is not positive.</exception>
    public ConvEncoder(int channels, int height, int width, IReadOnlyList<int> stageWidths, int latentDim, ActivationKind activation, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(stageWidths);
        if (channels < 1 || height < 4 || width < 4 || stageWidths.Count == 0 || stageWidths.Any(w => w < 1) || latentDim < 1)
        {
            throw new ArgumentException($"a convolutional encoder needs channels ≥ 1, images at least 4×4, one or more positive stage widths and a latent dimension ≥ 1; got {channels}×{height}×{width}, stages [{string.Join(", ", stageWidths)}], latent {latentDim}");
        }

        (Channels, Height, Width, LatentDim) = (channels, height, width, latentDim);
        StageWidths = [.. stageWidths];
        stem = RegisterModule("stem", new Conv2d(channels, stageWidths[0], 7, random, stride: 2, padding: 3));
        var blocks = new List<ResidualBlock>();
        for (var s = 0; s < stageWidths.Count; s++)
        {
            blocks.Add(RegisterModule($"stage{s}", new ResidualBlock(s == 0 ? stageWidths[0] : stageWidths[s - 1], stageWidths[s], s == 0 ? 1 : 2, activation, random)));
        }

        stages = [.. blocks];
        head = RegisterModule("head", new Linear(stageWidths[^1], latentDim, random));
        this.activation = new Activation(activation);
    }

    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Channels of the stem and each stage.</summary>
    public ImmutableArray<int> StageWidths { get; }

    /// <summary>The latent dimension.</summary>
    public int LatentDim { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">When the input is not <c>[N, channels·height·width]</c>.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Columns != Channels * Height * Width)
        {
            throw new ArgumentException($"the encoder reads [batch, {Channels * Height * Width}] flat {Channels}×{Height}×{Width} images, got [{string.Join(", ", input.Shape)}]", nameof(input));
        }

        var x = Ops.Reshape(input, input.Rows, Channels, Height, Width);
        x = activation.Kind == ActivationKind.Relu
            ? stem.ForwardReluMaxPool(x, kernel: 3, stride: 2, padding: 1) // the same values and gradients, without the stem's full-size output
            : Ops.MaxPool2d(activation.Forward(stem.Forward(x)), kernel: 3, stride: 2, padding: 1);
        foreach (var block in stages)
        {
            x = block.Forward(x);
        }

        return head.Forward(Ops.GlobalAvgPool(x));
    }
}
