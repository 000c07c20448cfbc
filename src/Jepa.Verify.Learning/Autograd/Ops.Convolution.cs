using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Autograd;

/// <summary>The image operations of a convolutional encoder, on tensors <c>[batch, channels, height, width]</c> (PyTorch's NCHW).</summary>
public static partial class Ops
{
    /// <summary>
    /// A 2-D convolution (cross-correlation, as PyTorch's <c>conv2d</c>): <c>x[N, C, H, W]</c> with
    /// <c>weight[O, C, KH, KW]</c> and an optional <c>bias[O]</c>, zero padding on every side, one stride for
    /// both axes. The result is <c>[N, O, (H + 2p − KH)/s + 1, (W + 2p − KW)/s + 1]</c>.
    /// </summary>
    /// <remarks>
    /// Written here because the engine is our own (DESIGN.md §4: TorchSharp does not run on Debian 12).
    /// Each image is unfolded into the matrix of its receptive fields (im2col, <c>[C·KH·KW, Ho·Wo]</c>), so
    /// the convolution is one product with the weight on the blocked <see cref="Gemm"/>; the backward pass
    /// unfolds again instead of keeping every image's matrix (a 256-image batch of 64×64 inputs under a 7×7
    /// stem would hold about 150 MB of them), and folds the input gradient back (col2im). Every sum runs in
    /// a fixed order, so results are bit-identical run to run.
    /// </remarks>
    /// <exception cref="ArgumentException">When the shapes do not fit, or the window does not fit the padded input.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        var (n, c, h, w) = Image(x, nameof(x), "Conv2d");
        if (weight.Rank != 4 || weight.Shape[1] != c)
        {
            throw new ArgumentException($"Conv2d: the weight must be [out, {c}, kh, kw], got [{string.Join(", ", weight.Shape)}]", nameof(weight));
        }

        int o = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (bias is not null && bias.Length != o)
        {
            throw new ArgumentException($"Conv2d: bias has {bias.Length} elements, expected {o}", nameof(bias));
        }

        var (ho, wo) = Window(h, w, kh, kw, stride, padding, "Conv2d");
        var geometry = new Unfold(c, h, w, kh, kw, stride, padding, ho, wo);
        int rows = geometry.Rows, pixels = ho * wo, image = c * h * w;
        var y = new float[n * o * pixels];
        var cols = new float[rows * pixels];
        var yn = new float[o * pixels];
        for (var i = 0; i < n; i++)
        {
            geometry.Im2Col(x.Data.AsSpan(i * image, image), cols);
            Kernels.Backend.Gemm(weight.Data, false, cols, false, yn, o, pixels, rows, accumulate: false);
            if (bias is not null)
            {
                for (var ch = 0; ch < o; ch++)
                {
                    var plane = yn.AsSpan(ch * pixels, pixels);
                    Kernels.Backend.Add(plane, bias.Data[ch], plane);
                }
            }

            yn.CopyTo(y, i * o * pixels);
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Result(y, [n, o, ho, wo], inputs, g =>
        {
            var gn = new float[o * pixels];
            var dcols = x.RequiresGrad ? new float[rows * pixels] : null;
            var dx = x.RequiresGrad ? x.EnsureGrad() : null;
            var dw = weight.RequiresGrad ? weight.EnsureGrad() : null;
            var db = bias is not null && bias.RequiresGrad ? new float[o] : null;
            for (var i = 0; i < n; i++)
            {
                Array.Copy(g, i * o * pixels, gn, 0, gn.Length);
                if (dw is not null)
                {
                    geometry.Im2Col(x.Data.AsSpan(i * image, image), cols);
                    Kernels.Backend.Gemm(gn, false, cols, true, dw, o, rows, pixels, accumulate: true);
                }

                if (dcols is not null)
                {
                    Kernels.Backend.Gemm(weight.Data, true, gn, false, dcols, rows, pixels, o, accumulate: false);
                    geometry.Col2ImAdd(dcols, dx.AsSpan(i * image, image));
                }

                if (db is not null)
                {
                    for (var ch = 0; ch < o; ch++)
                    {
                        db[ch] += Kernels.Backend.Sum(gn.AsSpan(ch * pixels, pixels));
                    }
                }
            }

            if (db is not null)
            {
                bias!.Accumulate(db);
            }
        });
    }

    /// <summary>
    /// Max pooling over <c>kernel × kernel</c> windows of <c>x[N, C, H, W]</c> (padding counts as −∞, as in
    /// PyTorch). The gradient goes to the first largest element of each window, in row-major order.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="x"/> is not an image batch or the window does not fit.</exception>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        var (n, c, h, w) = Image(x, nameof(x), "MaxPool2d");
        if (padding * 2 > kernel)
        {
            throw new ArgumentException($"MaxPool2d: padding {padding} is more than half the kernel {kernel}", nameof(padding));
        }

        var (ho, wo) = Window(h, w, kernel, kernel, stride, padding, "MaxPool2d");
        var y = new float[n * c * ho * wo];
        var from = new int[y.Length]; // the input element each output took its value from
        var at = 0;
        for (var plane = 0; plane < n * c; plane++)
        {
            var offset = plane * h * w;
            for (var oh = 0; oh < ho; oh++)
            {
                for (var ow = 0; ow < wo; ow++, at++)
                {
                    var best = float.NegativeInfinity;
                    var arg = -1;
                    for (var i = Math.Max(0, (oh * stride) - padding); i < Math.Min(h, (oh * stride) - padding + kernel); i++)
                    {
                        for (var j = Math.Max(0, (ow * stride) - padding); j < Math.Min(w, (ow * stride) - padding + kernel); j++)
                        {
                            var v = x.Data[offset + (i * w) + j];
                            if (arg < 0 || v > best || float.IsNaN(v))
                            {
                                (best, arg) = (v, offset + (i * w) + j);
                                if (float.IsNaN(v))
                                {
                                    goto done; // NaN propagates, as in PyTorch
                                }
                            }
                        }
                    }

                done:
                    (y[at], from[at]) = (best, arg);
                }
            }
        }

        return Result(y, [n, c, ho, wo], [x], g =>
        {
            var dx = x.EnsureGrad();
            for (var k = 0; k < g.Length; k++)
            {
                dx[from[k]] += g[k];
            }
        });
    }

    /// <summary>The mean of each channel over its height and width: <c>x[N, C, H, W]</c> to <c>[N, C]</c> (global average pooling).</summary>
    /// <exception cref="ArgumentException">When <paramref name="x"/> is not an image batch.</exception>
    public static Tensor GlobalAvgPool(Tensor x)
    {
        var (n, c, h, w) = Image(x, nameof(x), "GlobalAvgPool");
        var area = h * w;
        var y = new float[n * c];
        for (var plane = 0; plane < y.Length; plane++)
        {
            y[plane] = Kernels.Backend.Sum(x.Data.AsSpan(plane * area, area)) / area;
        }

        return Result(y, [n, c], [x], g =>
        {
            var dx = x.EnsureGrad();
            for (var plane = 0; plane < g.Length; plane++)
            {
                var d = dx.AsSpan(plane * area, area);
                Kernels.Backend.Add(d, g[plane] / area, d);
            }
        });
    }

    /// <summary>The same elements under another shape (row-major order kept), e.g. flat pixels <c>[N, C·H·W]</c> as images <c>[N, C, H, W]</c>.</summary>
    /// <exception cref="ArgumentException">When the shape holds a different number of elements.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var length = shape.Aggregate(1L, (a, d) => d >= 0 ? a * d : -1);
        if (length != x.Length)
        {
            throw new ArgumentException($"Reshape: [{string.Join(", ", x.Shape)}] cannot become [{string.Join(", ", shape)}]", nameof(shape));
        }

        return Result((float[])x.Data.Clone(), [.. shape], [x], g => x.Accumulate(g));
    }

    private static (int N, int C, int H, int W) Image(Tensor x, string name, string op) =>
        x.Rank == 4 && x.Shape.All(d => d > 0)
            ? (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3])
            : throw new ArgumentException($"{op}: expected an image batch [batch, channels, height, width], got [{string.Join(", ", x.Shape)}]", name);

    private static (int Ho, int Wo) Window(int h, int w, int kh, int kw, int stride, int padding, string op)
    {
        if (stride < 1 || padding < 0 || kh < 1 || kw < 1)
        {
            throw new ArgumentException($"{op}: need kernel ≥ 1, stride ≥ 1 and padding ≥ 0, got kernel {kh}×{kw}, stride {stride}, padding {padding}");
        }

        if (h + (2 * padding) < kh || w + (2 * padding) < kw)
        {
            throw new ArgumentException($"{op}: a {kh}×{kw} window does not fit a {h}×{w} input padded by {padding}");
        }

        return (((h + (2 * padding) - kh) / stride) + 1, ((w + (2 * padding) - kw) / stride) + 1);
    }

    /// <summary>Where each element of an image's receptive-field matrix comes from: row (channel, ky, kx), column (oy, ox).</summary>
    private readonly record struct Unfold(int C, int H, int W, int KH, int KW, int Stride, int Padding, int Ho, int Wo)
    {
        public int Rows => C * KH * KW;

        /// <summary>Fills <paramref name="cols"/> <c>[C·KH·KW, Ho·Wo]</c> from one image <c>[C, H, W]</c>; outside the image, 0.</summary>
        public void Im2Col(Span<float> image, float[] cols) => Walk(image, cols, gather: true);

        /// <summary>Adds each element of <paramref name="cols"/> back onto the image element it came from (the adjoint of <see cref="Im2Col"/>).</summary>
        public void Col2ImAdd(float[] cols, Span<float> image) => Walk(image, cols, gather: false);

        /// <summary>Visits every (receptive-field row, output pixel) in the order of <paramref name="cols"/>: copies the image element there (gather) or adds it back.</summary>
        private void Walk(Span<float> image, float[] cols, bool gather)
        {
            var at = 0;
            for (var ch = 0; ch < C; ch++)
            {
                for (var ky = 0; ky < KH; ky++)
                {
                    for (var kx = 0; kx < KW; kx++)
                    {
                        for (var oy = 0; oy < Ho; oy++)
                        {
                            var iy = (oy * Stride) - Padding + ky;
                            for (var ox = 0; ox < Wo; ox++, at++)
                            {
                                var ix = (ox * Stride) - Padding + kx;
                                var inside = (uint)iy < (uint)H && (uint)ix < (uint)W;
                                if (gather)
                                {
                                    cols[at] = inside ? image[(((ch * H) + iy) * W) + ix] : 0f;
                                }
                                else if (inside)
                                {
                                    image[(((ch * H) + iy) * W) + ix] += cols[at];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
