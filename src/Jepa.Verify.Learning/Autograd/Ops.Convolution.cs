using System.Buffers;
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
    /// Groups of images are unfolded side by side into the matrix of their receptive fields (im2col,
    /// <c>[C·KH·KW, images·Ho·Wo]</c>, in parallel over the images), so the convolution is one large product
    /// per group with the weight on the blocked <see cref="Gemm"/>, shared across cores. The backward pass
    /// unfolds again instead of keeping every image's matrix (a 256-image batch of 64×64 inputs under a 7×7
    /// stem would hold about 150 MB of them), and folds the input gradient back (col2im). The group size
    /// depends on the shapes only and every sum runs in a fixed order, so results are bit-identical run to
    /// run and for any thread count.
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
        int rows = geometry.Rows, pixels = ho * wo;
        var group = ConvolutionGroup(rows, pixels, n);
        var y = new float[n * o * pixels];
        var cols = Scratch.Floats.Rent(rows * group * pixels);
        var products = Scratch.Floats.Rent(o * group * pixels);
        try
        {
            for (var first = 0; first < n; first += group)
            {
                var images = Math.Min(group, n - first);
                geometry.Im2Col(x.Data, first, images, cols);
                Kernels.Backend.Gemm(weight.Data, false, cols, false, products, o, images * pixels, rows, accumulate: false);
                Planes(products, y, first, images, o, pixels, toImages: true, bias?.Data);
            }
        }
        finally
        {
            Scratch.Floats.Return(cols);
            Scratch.Floats.Return(products);
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Result(y, [n, o, ho, wo], inputs, g =>
        {
            var gradCols = Scratch.Floats.Rent(rows * group * pixels);
            var gradPlanes = Scratch.Floats.Rent(o * group * pixels);
            var weightGradT = new float[rows * o];
            var dx = x.RequiresGrad ? x.EnsureGrad() : null;
            var dw = weight.RequiresGrad ? weight.EnsureGrad() : null;
            var db = bias is not null && bias.RequiresGrad ? new float[o] : null;
            try
            {
                for (var first = 0; first < n; first += group)
                {
                    var images = Math.Min(group, n - first);
                    var width = images * pixels;
                    Planes(gradPlanes, g, first, images, o, pixels, toImages: false, null);
                    if (dw is not null)
                    {
                        // dWᵀ = cols · gradᵀ: the product's packing then transposes the O gradient planes, not the far larger receptive fields.
                        geometry.Im2Col(x.Data, first, images, gradCols);
                        Kernels.Backend.Gemm(gradCols, false, gradPlanes, true, weightGradT, rows, o, width, accumulate: false);
                        for (var r = 0; r < rows; r++)
                        {
                            for (var ch = 0; ch < o; ch++)
                            {
                                dw[(ch * rows) + r] += weightGradT[(r * o) + ch];
                            }
                        }
                    }

                    if (dx is not null)
                    {
                        Kernels.Backend.Gemm(weight.Data, true, gradPlanes, false, gradCols, rows, width, o, accumulate: false);
                        geometry.Col2ImAdd(gradCols, first, images, dx);
                    }

                    if (db is not null)
                    {
                        for (var ch = 0; ch < o; ch++)
                        {
                            db[ch] += Kernels.Backend.Sum(gradPlanes.AsSpan(ch * width, width));
                        }
                    }
                }
            }
            finally
            {
                Scratch.Floats.Return(gradCols);
                Scratch.Floats.Return(gradPlanes);
            }

            if (db is not null)
            {
                bias!.Accumulate(db);
            }
        });
    }

    /// <summary>
    /// How many images one product of <see cref="Conv2d"/> unfolds together: as many as fit about 2M floats (8 MB) of
    /// receptive fields, so that the product is large enough to share across cores. It depends on the shapes only, never
    /// on the thread count, so every sum keeps its order and results stay bit-identical.
    /// </summary>
    private static int ConvolutionGroup(int rows, int pixels, int n) => (int)Math.Clamp((1L << 21) / Math.Max(1L, (long)rows * pixels), 1, n);

    /// <summary>
    /// Moves channel planes between a group's product layout <c>[O, images·pixels]</c> and the batch's <c>[N, O, pixels]</c>
    /// (images <paramref name="first"/> onwards): into the batch, adding <paramref name="bias"/>, or out of it.
    /// </summary>
    private static void Planes(float[] grouped, float[] batch, int first, int images, int o, int pixels, bool toImages, float[]? bias)
    {
        var width = images * pixels;
        for (var i = 0; i < images; i++)
        {
            for (var ch = 0; ch < o; ch++)
            {
                var inGroup = grouped.AsSpan((ch * width) + (i * pixels), pixels);
                var inBatch = batch.AsSpan((((first + i) * o) + ch) * pixels, pixels);
                if (!toImages)
                {
                    inBatch.CopyTo(inGroup);
                }
                else if (bias is not null)
                {
                    Kernels.Backend.Add(inGroup, bias[ch], inBatch);
                }
                else
                {
                    inGroup.CopyTo(inBatch);
                }
            }
        }
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
        var planes = n * c;

        // Planes are independent: each chunk of them has its own outputs (and, backwards, its own part of dx), so the
        // result does not depend on the thread count.
        var chunks = Math.Min(planes, Parallelism.MaxThreads * 4);
        Parallelism.For(Parallelism.MaxThreads, chunks, chunk =>
        {
            var data = x.Data;
            for (var plane = planes * chunk / chunks; plane < planes * (chunk + 1) / chunks; plane++)
            {
                var offset = plane * h * w;
                var at = plane * ho * wo;
                for (var oh = 0; oh < ho; oh++)
                {
                    var (i0, i1) = (Math.Max(0, (oh * stride) - padding), Math.Min(h, (oh * stride) - padding + kernel));
                    for (var ow = 0; ow < wo; ow++, at++)
                    {
                        var (j0, j1) = (Math.Max(0, (ow * stride) - padding), Math.Min(w, (ow * stride) - padding + kernel));
                        var arg = offset + (i0 * w) + j0;
                        var best = data[arg];
                        for (var i = i0; i < i1 && !float.IsNaN(best); i++)
                        {
                            var row = offset + (i * w);
                            for (var j = i == i0 ? j0 + 1 : j0; j < j1; j++)
                            {
                                var v = data[row + j];
                                if (v > best || float.IsNaN(v))
                                {
                                    (best, arg) = (v, row + j);
                                    if (float.IsNaN(v))
                                    {
                                        break; // NaN propagates, as in PyTorch
                                    }
                                }
                            }
                        }

                        (y[at], from[at]) = (best, arg);
                    }
                }
            }
        });

        return Result(y, [n, c, ho, wo], [x], g =>
        {
            var dx = x.EnsureGrad();
            var window = ho * wo;
            Parallelism.For(Parallelism.MaxThreads, chunks, chunk =>
            {
                for (var k = planes * chunk / chunks * window; k < planes * (chunk + 1) / chunks * window; k++)
                {
                    dx[from[k]] += g[k];
                }
            });
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

    /// <summary>
    /// The same elements under another shape (row-major order kept), e.g. flat pixels <c>[N, C·H·W]</c> as images
    /// <c>[N, C, H, W]</c>. A view, like PyTorch's <c>view</c>: the result shares <paramref name="x"/>'s data array (no
    /// copy: a 256-transition batch of 64×64 images is 23 MB), so a later in-place write to either shows in both.
    /// </summary>
    /// <exception cref="ArgumentException">When the shape holds a different number of elements.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var length = shape.Aggregate(1L, (a, d) => d >= 0 ? a * d : -1);
        if (length != x.Length)
        {
            throw new ArgumentException($"Reshape: [{string.Join(", ", x.Shape)}] cannot become [{string.Join(", ", shape)}]", nameof(shape));
        }

        return Result(x.Data, [.. shape], [x], g => x.Accumulate(g));
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

    /// <summary>
    /// Where each element of a receptive-field matrix comes from: row (channel, ky, kx), column (image, oy, ox). A group of
    /// images is unfolded side by side, <c>[C·KH·KW, images·Ho·Wo]</c>, one image per thread at a time (each writes its own
    /// columns, or folds into its own image, so the order of every sum is fixed).
    /// </summary>
    private readonly record struct Unfold(int C, int H, int W, int KH, int KW, int Stride, int Padding, int Ho, int Wo)
    {
        public int Rows => C * KH * KW;

        /// <summary>Fills <paramref name="cols"/> from images <paramref name="first"/> … of <paramref name="batch"/> <c>[N, C, H, W]</c>; outside an image, 0.</summary>
        public void Im2Col(float[] batch, int first, int images, float[] cols)
        {
            var self = this;
            Parallelism.For(Parallelism.MaxThreads, images, i => self.Walk(batch, (first + i) * self.C * self.H * self.W, cols, i, images, gather: true));
        }

        /// <summary>Adds each element of <paramref name="cols"/> back onto the image element it came from (the adjoint of <see cref="Im2Col"/>).</summary>
        public void Col2ImAdd(float[] cols, int first, int images, float[] batch)
        {
            var self = this;
            Parallelism.For(Parallelism.MaxThreads, images, i => self.Walk(batch, (first + i) * self.C * self.H * self.W, cols, i, images, gather: false));
        }

        /// <summary>
        /// Visits image <paramref name="index"/>'s columns row by row: for each (channel, ky, kx, oy) the output pixels ox whose
        /// input lies inside the image form one run, copied (gather) or added back; the rest of the row is padding (0).
        /// With a stride s above 1 the run reads every s-th input element; to keep it a contiguous copy, the image is first
        /// split into s column phases (<c>phase[ch, p, iy, j] = image[ch, iy, j·s + p]</c>), where input column
        /// <c>ox·s − padding + kx</c> is phase <c>(kx − padding) mod s</c>, column <c>ox + ⌊(kx − padding)/s⌋</c>.
        /// </summary>
        private void Walk(float[] batch, int offset, float[] cols, int index, int images, bool gather)
        {
            var pixels = Ho * Wo;
            var width = images * pixels;
            var image = batch.AsSpan(offset, C * H * W);
            var phaseWidth = (W + Stride - 1) / Stride;
            float[]? rented = Stride == 1 ? null : Scratch.Floats.Rent(C * Stride * H * phaseWidth);
            var phases = Stride == 1 ? image : rented.AsSpan(0, C * Stride * H * phaseWidth);
            var planeWidth = Stride == 1 ? W : phaseWidth;
            if (rented is not null)
            {
                if (gather)
                {
                    Phases(image, phases, phaseWidth, split: true);
                }
                else
                {
                    phases.Clear();
                }
            }

            for (var r = 0; r < Rows; r++)
            {
                int ch = r / (KH * KW), ky = r / KW % KH, kx = r % KW;
                // ox with 0 <= ox·Stride − Padding + kx < W.
                var lo = Math.Max(0, (Padding - kx + Stride - 1) / Stride);
                var reach = W - 1 + Padding - kx; // negative when this kernel column lies wholly in the right padding
                var hi = reach < 0 ? 0 : Math.Min(Wo, (reach / Stride) + 1);
                var shift = kx - Padding;
                var phase = ((shift % Stride) + Stride) % Stride;
                var column = lo + ((shift - phase) / Stride);
                for (var oy = 0; oy < Ho; oy++)
                {
                    var row = cols.AsSpan((r * width) + (index * pixels) + (oy * Wo), Wo);
                    var iy = (oy * Stride) - Padding + ky;
                    if ((uint)iy >= (uint)H || lo >= hi)
                    {
                        if (gather)
                        {
                            row.Clear();
                        }

                        continue;
                    }

                    var run = phases.Slice((((((ch * Stride) + phase) * H) + iy) * planeWidth) + column, hi - lo);
                    if (gather)
                    {
                        row[..lo].Clear();
                        row[hi..].Clear();
                        run.CopyTo(row[lo..hi]);
                    }
                    else
                    {
                        Kernels.Backend.Add(run, row[lo..hi], run);
                    }
                }
            }

            if (rented is not null)
            {
                if (!gather)
                {
                    Phases(image, phases, phaseWidth, split: false);
                }

                Scratch.Floats.Return(rented);
            }
        }

        /// <summary>Splits an image into its column phases (for a stride above 1), or adds the phases back onto the image.</summary>
        private void Phases(Span<float> image, Span<float> phases, int phaseWidth, bool split)
        {
            for (var ch = 0; ch < C; ch++)
            {
                for (var p = 0; p < Stride; p++)
                {
                    for (var iy = 0; iy < H; iy++)
                    {
                        var source = image.Slice(((ch * H) + iy) * W, W);
                        var target = phases.Slice(((((ch * Stride) + p) * H) + iy) * phaseWidth, phaseWidth);
                        for (int j = 0, ix = p; j < phaseWidth; j++, ix += Stride)
                        {
                            if (split)
                            {
                                target[j] = ix < W ? source[ix] : 0f;
                            }
                            else if (ix < W)
                            {
                                source[ix] += target[j];
                            }
                        }
                    }
                }
            }
        }
    }
}
