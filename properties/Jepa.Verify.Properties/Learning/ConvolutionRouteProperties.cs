using FsCheck.Xunit;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Tests for <see cref="Ops.Conv2d"/> and <see cref="Ops.MaxPool2d"/> on feature maps whose rows are 4 to 40 wide, so
/// that both of the CPU backend's convolution routes (<see cref="Convolution.UsePadded"/>,
/// <see cref="Convolution.UsePaddedInputGradient"/>), partial panels of channels and columns, and pooling's vector pass
/// occur: outputs and gradients against the definitions, convolutions summed in double (the gradient properties use
/// images of 3–5 pixels, which never take the padded route).
/// </summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class ConvolutionRouteProperties
{
    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 30)]
    public void EveryRouteComputesTheDefinitionForwardAndBackward(GradShape shape)
    {
        var s = Case(shape);
        var r = new SeededRandom((ulong)shape.Seed + 1);
        var x = Values(r, s.N * s.C * s.H * s.W);
        var weight = Values(r, s.O * s.Rows);
        var bias = Values(r, s.O);
        var upstream = Values(r, s.N * s.O * s.Ho * s.Wo);
        var (xt, wt, bt) = (Tracked(x, s.N, s.C, s.H, s.W), Tracked(weight, s.O, s.C, s.KH, s.KW), Tracked(bias, s.O));
        var y = Ops.Conv2d(xt, wt, bt, s.Stride, s.Padding);
        Ops.Sum(Ops.Mul(y, Tensor.FromArray([.. upstream], y.Shape.ToArray()))).Backward();

        var (expected, dx, dw, db) = Definition(x, weight, bias, upstream, s);
        var route = $"{s} (padded: {Convolution.UsePadded(s)}, padded input gradient: {Convolution.UsePaddedInputGradient(s)})";
        Close(expected, y.Data, "y", route);
        Close(dx, xt.Grad!.Data, "dx", route);
        Close(dw, wt.Grad!.Data, "dW", route);
        Close(db, bt.Grad!.Data, "db", route);
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 20)]
    public void TheFusedReluOpsAreTheirUnfusedCompositions(GradShape shape)
    {
        var s = Case(shape);
        var r = new SeededRandom((ulong)shape.Seed + 1);
        var (x, weight, bias, other) = (Values(r, s.N * s.C * s.H * s.W), Values(r, s.O * s.Rows), Values(r, s.O), Values(r, s.N * s.O * s.Ho * s.Wo));
        var upstream = Values(r, other.Length);
        var (pool, poolStride) = (1 + r.NextInt(Math.Min(3, Math.Min(s.Ho, s.Wo))), 1 + r.NextInt(2));
        float[][] Run(bool fused)
        {
            var (xt, wt, bt, ot) = (Tracked(x, s.N, s.C, s.H, s.W), Tracked(weight, s.O, s.C, s.KH, s.KW), Tracked(bias, s.O), Tracked(other, s.N, s.O, s.Ho, s.Wo));
            var conv = fused ? Ops.Conv2d(xt, wt, bt, s.Stride, s.Padding, relu: true) : Ops.Relu(Ops.Conv2d(xt, wt, bt, s.Stride, s.Padding));
            var sum = fused ? Ops.AddRelu(conv, ot) : Ops.Relu(Ops.Add(conv, ot));
            var pooled = fused
                ? Ops.Conv2dReluMaxPool(xt, wt, bt, s.Stride, s.Padding, pool, poolStride, pool / 2)
                : Ops.MaxPool2d(Ops.Relu(Ops.Conv2d(xt, wt, bt, s.Stride, s.Padding)), pool, poolStride, pool / 2);
            var pooledUpstream = Tensor.FromArray([.. Values(new SeededRandom((ulong)shape.Seed + 2), pooled.Length)], pooled.Shape.ToArray());
            var loss = Ops.Add(Ops.Sum(Ops.Mul(sum, Tensor.FromArray([.. upstream], sum.Shape.ToArray()))), Ops.Sum(Ops.Mul(pooled, pooledUpstream)));
            loss.Backward();
            return [sum.Data, pooled.Data, xt.Grad!.Data, wt.Grad!.Data, bt.Grad!.Data, ot.Grad!.Data];
        }

        var (a, b) = (Run(fused: true), Run(fused: false));
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(b[i], a[i]);
        }
    }

    [Fact]
    public void TheEncodersFeatureMapsTakeTheRoutesTheyAreMeantTo()
    {
        // A 64×64 image under the default encoder: the stem and the first stage are padded, the later stages unfolded.
        Assert.True(Convolution.UsePadded(new Conv2dShape(1, 3, 64, 64, 16, 7, 7, 2, 3)));
        Assert.True(Convolution.UsePadded(new Conv2dShape(1, 16, 16, 16, 16, 3, 3, 1, 1)));
        Assert.True(Convolution.UsePaddedInputGradient(new Conv2dShape(1, 16, 16, 16, 16, 3, 3, 1, 1)));
        Assert.False(Convolution.UsePadded(new Conv2dShape(1, 16, 16, 16, 32, 3, 3, 2, 1)));
        Assert.False(Convolution.UsePaddedInputGradient(new Conv2dShape(1, 16, 16, 16, 32, 3, 3, 2, 1)));
    }

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 40)]
    public void MaxPoolingTakesTheFirstLargestOfEachWindow(GradShape shape)
    {
        // Values from a set of five, so windows hold ties, and now and then a NaN; rows wide enough for the vector pass.
        var r = new SeededRandom((ulong)shape.Seed);
        var (kernel, stride) = (1 + r.NextInt(4), 1 + r.NextInt(3));
        var padding = r.NextInt((kernel / 2) + 1);
        var (n, c, h, w) = (1 + r.NextInt(2), 1 + r.NextInt(3), kernel + r.NextInt(12), kernel + 7 + r.NextInt(33));
        var x = new float[n * c * h * w];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = r.NextInt(40) == 0 ? float.NaN : r.NextInt(5);
        }

        var xt = Tracked(x, n, c, h, w);
        var y = Ops.MaxPool2d(xt, kernel, stride, padding);
        var upstream = Values(r, y.Length);
        Ops.Sum(Ops.Mul(y, Tensor.FromArray([.. upstream], y.Shape.ToArray()))).Backward();
        int ho = y.Shape[2], wo = y.Shape[3];
        var dx = new double[x.Length];
        for (var plane = 0; plane < n * c; plane++)
        {
            for (var oy = 0; oy < ho; oy++)
            {
                for (var ox = 0; ox < wo; ox++)
                {
                    var arg = -1;
                    for (var ky = 0; ky < kernel; ky++)
                    {
                        for (var kx = 0; kx < kernel; kx++)
                        {
                            int iy = (oy * stride) - padding + ky, ix = (ox * stride) - padding + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            {
                                continue;
                            }

                            var at = (((plane * h) + iy) * w) + ix;
                            if (arg < 0 || (!float.IsNaN(x[arg]) && (float.IsNaN(x[at]) || x[at] > x[arg])))
                            {
                                arg = at;
                            }
                        }
                    }

                    var o = (((plane * ho) + oy) * wo) + ox;
                    Assert.True(x[arg].Equals(y.Data[o]), $"y[{o}] = {y.Data[o]}, expected {x[arg]} (kernel {kernel}, stride {stride}, padding {padding}, {h}×{w})");
                    dx[arg] += upstream[o];
                }
            }
        }

        Close(dx, xt.Grad!.Data, "dx", $"max pooling {kernel}/{stride}/{padding} of {h}×{w}");
    }

    /// <summary>A convolution from a shape's seed: kernel 1, 3, 5 or 7, stride 1–2, output rows 4–32 wide.</summary>
    private static Conv2dShape Case(GradShape shape)
    {
        var r = new SeededRandom((ulong)shape.Seed);
        int[] kernels = [1, 3, 5, 7];
        int[] outputWidths = [4, 8, 16, 20, 24, 32];
        var (k, stride) = (kernels[r.NextInt(kernels.Length)], 1 + r.NextInt(2));
        var padding = r.NextInt((k / 2) + 1);
        var wo = outputWidths[r.NextInt(outputWidths.Length)];
        return new Conv2dShape(1 + r.NextInt(3), 1 + r.NextInt(3), k + 1 + r.NextInt(18), ((wo - 1) * stride) + k - (2 * padding) + r.NextInt(stride), 1 + r.NextInt(13), k, k, stride, padding);
    }

    private static float[] Values(SeededRandom r, int length)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = r.NextFloat(-1f, 1f);
        }

        return values;
    }

    private static Tensor Tracked(float[] data, params int[] shape)
    {
        var t = Tensor.FromArray([.. data], shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>The convolution and its gradients by their definition, in double.</summary>
    private static (double[] Y, double[] Dx, double[] Dw, double[] Db) Definition(float[] x, float[] weight, float[] bias, float[] upstream, Conv2dShape s)
    {
        var (y, dx, dw, db) = (new double[upstream.Length], new double[x.Length], new double[weight.Length], new double[bias.Length]);
        for (var n = 0; n < s.N; n++)
        {
            for (var o = 0; o < s.O; o++)
            {
                for (var oy = 0; oy < s.Ho; oy++)
                {
                    for (var ox = 0; ox < s.Wo; ox++)
                    {
                        var at = (((((n * s.O) + o) * s.Ho) + oy) * s.Wo) + ox;
                        double sum = bias[o], u = upstream[at];
                        db[o] += u;
                        for (var c = 0; c < s.C; c++)
                        {
                            for (var ky = 0; ky < s.KH; ky++)
                            {
                                for (var kx = 0; kx < s.KW; kx++)
                                {
                                    int iy = (oy * s.Stride) - s.Padding + ky, ix = (ox * s.Stride) - s.Padding + kx;
                                    if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W)
                                    {
                                        var (xi, wi) = ((((((n * s.C) + c) * s.H) + iy) * s.W) + ix, (((((o * s.C) + c) * s.KH) + ky) * s.KW) + kx);
                                        sum += (double)x[xi] * weight[wi];
                                        dx[xi] += u * weight[wi];
                                        dw[wi] += u * x[xi];
                                    }
                                }
                            }
                        }

                        y[at] = sum;
                    }
                }
            }
        }

        return (y, dx, dw, db);
    }

    private static void Close(double[] expected, float[] actual, string what, string route)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{what}[{i}] = {actual[i]}, expected {expected[i]}, for {route}");
        }
    }
}
