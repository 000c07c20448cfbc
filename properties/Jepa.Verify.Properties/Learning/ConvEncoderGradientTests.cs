using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for <see cref="ConvEncoder"/> (and through it <see cref="ResidualBlock"/> and the <see cref="Conv2d"/> module):
/// gradients into the images and every parameter against finite differences (<see cref="GradCheck"/>, with a 1e-3
/// step: a weight of the stem moves every pixel, and a 1e-2 step changed which pixel of a pooling window was largest),
/// on fixed seeds with tanh (so max pooling is the only kink), and the shapes.
/// </summary>
public sealed class ConvEncoderGradientTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    public void GradientsReachTheImagesAndEveryParameter(ulong seed, int channels)
    {
        var random = new SeededRandom(seed);
        var encoder = new ConvEncoder(channels, 8, 8, [2, 3], 2, ActivationKind.Tanh, random);
        var images = GradCheck.Random(random, awayFromZero: false, 2, channels * 64);
        var mismatch = GradCheck.Mismatch(x => encoder.Forward(x[0]), [images, .. encoder.Parameters()], seed + 1, step: 1e-3f);
        Assert.Null(mismatch);
    }

    [Theory]
    [InlineData(7, 2, 3)]
    [InlineData(3, 2, 1)]
    [InlineData(1, 2, 0)]
    public void Conv2dWithTheEncodersGeometries(int kernel, int stride, int padding)
    {
        var random = new SeededRandom(11);
        var x = GradCheck.Random(random, awayFromZero: false, 2, 2, 8, 8);
        var w = GradCheck.Random(random, awayFromZero: false, 3, 2, kernel, kernel);
        var b = GradCheck.Random(random, awayFromZero: false, 3);
        Assert.Null(GradCheck.Mismatch(t => Ops.Conv2d(t[0], t[1], t[2], stride, padding), [x, w, b], 12));
        Assert.Null(GradCheck.Mismatch(t => Ops.MaxPool2d(Ops.Conv2d(t[0], t[1], t[2], stride, padding), 3, 2, 1), [x, w, b], 12));
    }

    [Fact]
    public void MapsFlatImagesToLatentsDeterministically()
    {
        var images = GradCheck.Random(new SeededRandom(5), awayFromZero: false, 3, 3 * 20 * 20);
        var a = new ConvEncoder(3, 20, 20, [4, 8, 16], 6, ActivationKind.Relu, new SeededRandom(9));
        var b = new ConvEncoder(3, 20, 20, [4, 8, 16], 6, ActivationKind.Relu, new SeededRandom(9));
        var za = a.Forward(images);
        Assert.Equal([3, 6], za.Shape.ToArray());
        Assert.Equal(za.ToArray(), b.Forward(images).ToArray());
        // stem 3→4 (7×7) + stage0 4→4 + stage1 4→8 with a 1×1 shortcut + stage2 8→16 likewise + head 16→6
        var expected = (4 * 3 * 49 + 4) + 2 * (4 * 4 * 9 + 4) + (8 * 4 * 9 + 8) + (8 * 8 * 9 + 8) + (8 * 4 + 8)
            + (16 * 8 * 9 + 16) + (16 * 16 * 9 + 16) + (16 * 8 + 16) + (6 * 16 + 6);
        Assert.Equal(expected, a.Parameters().Sum(p => p.Length));
        Assert.Throws<ArgumentException>(() => a.Forward(Tensor.Zeros(3, 3 * 20 * 19)));
    }
}
