using System.Runtime.Intrinsics;
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
    /// The arithmetic is the backend's (<see cref="IKernels.Conv2d"/>, <see cref="IKernels.Conv2dBackward"/>); this op checks
    /// the shapes and records the gradient. With <paramref name="relu"/> the result is <c>max(conv, 0)</c>, applied as it is stored:
    /// the values and gradients of <c>Relu(Conv2d(…))</c> without a second image-sized array and its gradient.
    /// </remarks>
    /// <exception cref="ArgumentException">When the shapes do not fit, or the window does not fit the padded input.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0, bool relu = false)
    {
        var shape = ConvShape(x, weight, bias, stride, padding);
        var (n, o, ho, wo) = (shape.N, shape.O, shape.Ho, shape.Wo);
        var y = GC.AllocateUninitializedArray<float>(n * o * ho * wo); // the backend writes every element
        Kernels.Backend.Conv2d(x.Data, weight.Data, bias?.Data, y, shape, relu);

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Result(y, [n, o, ho, wo], inputs, g =>
        {
            if (relu)
            {
                Kernels.Backend.KeepWherePositive(y, g); // g is this result's own gradient, not read again
            }

            var db = bias is not null && bias.RequiresGrad ? bias.EnsureGrad() : null;
            Kernels.Backend.Conv2dBackward(x.Data, weight.Data, g, x.RequiresGrad ? x.EnsureGrad() : null, weight.RequiresGrad ? weight.EnsureGrad() : null, db, shape);
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
        var (ho, wo) = PoolWindow(h, w, kernel, stride, padding);
        var (y, from) = Pool(x.Data, n * c, h, w, kernel, stride, padding, ho, wo);
        return Result(y, [n, c, ho, wo], [x], g => Unpool(g, from, n * c, ho * wo, x.EnsureGrad(), null));
    }

    /// <summary>
    /// <c>MaxPool2d(Relu(Conv2d(x, weight, bias, stride, padding)), poolKernel, poolStride, poolPadding)</c>, an encoder's
    /// stem, with the same values and gradients, but the convolution's output and its gradient (the largest arrays of an
    /// image encoder, four times the pooled size) live in reused scratch memory for the length of the op and its backward
    /// pass instead of as tensors: only the pooled result and its argmax indices are kept.
    /// </summary>
    /// <exception cref="ArgumentException">When the shapes do not fit, as for <see cref="Conv2d"/> and <see cref="MaxPool2d"/>.</exception>
    public static Tensor Conv2dReluMaxPool(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int poolKernel, int poolStride, int poolPadding)
    {
        var shape = ConvShape(x, weight, bias, stride, padding);
        var (ph, pw) = PoolWindow(shape.Ho, shape.Wo, poolKernel, poolStride, poolPadding);
        var (planes, size) = (shape.N * shape.O, shape.N * shape.O * shape.Ho * shape.Wo);
        float[] y;
        int[] from;
        var conv = Scratch.Floats.Rent(size);
        try
        {
            Kernels.Backend.Conv2d(x.Data, weight.Data, bias?.Data, conv, shape, relu: true);
            (y, from) = Pool(conv, planes, shape.Ho, shape.Wo, poolKernel, poolStride, poolPadding, ph, pw);
        }
        finally
        {
            Scratch.Floats.Return(conv);
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Result(y, [shape.N, shape.O, ph, pw], inputs, g =>
        {
            var gradConv = Scratch.Floats.Rent(size);
            try
            {
                Array.Clear(gradConv, 0, size);
                Unpool(g, from, planes, ph * pw, gradConv, y); // the ReLU's mask: a pooled value is positive exactly when the element it took is
                var db = bias is not null && bias.RequiresGrad ? bias.EnsureGrad() : null;
                Kernels.Backend.Conv2dBackward(x.Data, weight.Data, gradConv, x.RequiresGrad ? x.EnsureGrad() : null, weight.RequiresGrad ? weight.EnsureGrad() : null, db, shape);
            }
            finally
            {
                Scratch.Floats.Return(gradConv);
            }
        });
    }

    /// <summary>The shapes of <see cref="Conv2d"/>, after checking them.</summary>
    private static Conv2dShape ConvShape(Tensor x, Tensor weight, Tensor? bias, int stride, int padding)
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

        Window(h, w, kh, kw, stride, padding, "Conv2d"); // the window must fit the padded input
        return new Conv2dShape(n, c, h, w, o, kh, kw, stride, padding);
    }

    /// <summary>The output size of max pooling, after checking its window.</summary>
    private static (int Ho, int Wo) PoolWindow(int h, int w, int kernel, int stride, int padding)
    {
        if (padding * 2 > kernel)
        {
            throw new ArgumentException($"MaxPool2d: padding {padding} is more than half the kernel {kernel}", nameof(padding));
        }

        return Window(h, w, kernel, kernel, stride, padding, "MaxPool2d");
    }

    /// <summary>Max pooling of <paramref name="planes"/> planes of <paramref name="data"/>: the pooled values and, for each, the index in <paramref name="data"/> it came from.</summary>
    private static (float[] Y, int[] From) Pool(float[] data, int planes, int h, int w, int kernel, int stride, int padding, int ho, int wo)
    {
        var y = GC.AllocateUninitializedArray<float>(planes * ho * wo); // every element of both is written below
        var from = GC.AllocateUninitializedArray<int>(y.Length);

        // Planes are independent: each chunk of them has its own outputs (and, backwards, its own part of the input's
        // gradient), so the result does not depend on the thread count.
        Parallelism.ForRanges(planes, Math.Min(planes, Parallelism.MaxThreads * 4), (_, first, end) =>
        {
            var rowMax = new float[h * wo];
            var rowArg = new int[h * wo];
            var phases = new float[w + 1];
            for (var plane = first; plane < end; plane++)
            {
                PoolPlane(data, plane * h * w, h, w, kernel, stride, padding, ho, wo, rowMax, rowArg, phases, y.AsSpan(plane * ho * wo, ho * wo), from.AsSpan(plane * ho * wo, ho * wo));
            }
        });
        return (y, from);
    }

    /// <summary>
    /// Max pooling's gradient: each output's gradient added to the input element it came from, in output order within a
    /// plane, in chunks of planes across threads; where <paramref name="positive"/> is given, only for outputs above 0.
    /// </summary>
    private static void Unpool(float[] g, int[] from, int planes, int window, float[] dx, float[]? positive)
    {
        Parallelism.ForRanges(planes, Math.Min(planes, Parallelism.MaxThreads * 4), (_, first, end) =>
        {
            for (var k = first * window; k < end * window; k++)
            {
                if (positive is null || positive[k] > 0f)
                {
                    dx[from[k]] += g[k];
                }
            }
        });
    }

    /// <summary>
    /// One plane of <see cref="MaxPool2d"/>, in two passes: the window maximum along each input row at every output column
    /// (the first largest element, or the first NaN), then along the columns of those, eight output columns at a time. A
    /// row's first largest element, taken from the first row that holds the largest, is the window's first largest in
    /// row-major order, so the two passes pick what one pass over each window would. Along a row, for stride 1 or 2, the
    /// outputs whose window lies wholly inside the row go eight at a time too, from the row's stride phases
    /// (<c>phases[ph·pw + j] = row[j·s + ph]</c>, so a window's element kx for eight consecutive outputs is eight
    /// consecutive floats).
    /// </summary>
    private static void PoolPlane(float[] data, int offset, int h, int w, int kernel, int stride, int padding, int ho, int wo, float[] rowMax, int[] rowArg, float[] phases, Span<float> y, Span<int> from)
    {
        var pw = (w + 1) / 2;
        var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * stride;
        // Outputs ox with ox·s − padding ≥ 0 and ox·s − padding + kernel ≤ w.
        var inside = (padding + stride - 1) / stride;
        var insideEnd = w - kernel + padding < 0 ? 0 : Math.Min(wo, ((w - kernel + padding) / stride) + 1);
        // Those go eight at a time, the last eight ending at insideEnd (overlapping the previous ones: the same values again).
        var vectorEnd = stride <= 2 && insideEnd - inside >= Vector256<float>.Count ? insideEnd : inside;
        for (var iy = 0; iy < h; iy++)
        {
            var row = data.AsSpan(offset + (iy * w), w);
            var rowStart = offset + (iy * w);
            if (vectorEnd > inside)
            {
                ReadOnlySpan<float> split = row;
                if (stride == 2)
                {
                    Strided.Split2(row, phases.AsSpan(0, pw), phases.AsSpan(pw, w / 2));
                    split = phases;
                }

                var width = stride == 1 ? w : pw;
                for (var next = inside; next < vectorEnd; next += Vector256<float>.Count)
                {
                    var ox = Math.Min(next, vectorEnd - Vector256<float>.Count);
                    Vector256<float> best = default;
                    Vector256<int> arg = default;
                    for (var kx = 0; kx < kernel; kx++)
                    {
                        // Input column ox·s − padding + kx: phase (kx − padding) mod s, column ox + ⌊(kx − padding)/s⌋ of it.
                        var shift = kx - padding;
                        var phase = ((shift % stride) + stride) % stride;
                        var v = Vector256.Create<float>(split.Slice((phase * width) + ox + ((shift - phase) / stride), Vector256<float>.Count));
                        var column = Vector256.Create(rowStart + (ox * stride) + shift) + lanes;
                        var take = kx == 0 ? Vector256<float>.AllBitsSet : Vector256.GreaterThan(v, best) | (~Vector256.Equals(v, v) & Vector256.Equals(best, best));
                        best = Vector256.ConditionalSelect(take, v, best);
                        arg = Vector256.ConditionalSelect(take.AsInt32(), column, arg);
                    }

                    best.CopyTo(rowMax.AsSpan((iy * wo) + ox));
                    arg.CopyTo(rowArg.AsSpan((iy * wo) + ox));
                }
            }

            for (var ox = 0; ox < wo; ox++)
            {
                if (ox == inside && vectorEnd > inside)
                {
                    ox = vectorEnd - 1;
                    continue;
                }

                int j0 = Math.Max(0, (ox * stride) - padding), j1 = Math.Min(w, (ox * stride) - padding + kernel);
                var (best, arg) = (row[j0], j0);
                for (var j = j0 + 1; j < j1; j++)
                {
                    var v = row[j];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        (best, arg) = (v, j);
                    }
                }

                rowMax[(iy * wo) + ox] = best;
                rowArg[(iy * wo) + ox] = offset + (iy * w) + arg;
            }
        }

        for (var oy = 0; oy < ho; oy++)
        {
            int i0 = Math.Max(0, (oy * stride) - padding), i1 = Math.Min(h, (oy * stride) - padding + kernel);
            var ox = 0;
            for (; ox <= wo - Vector256<float>.Count; ox += Vector256<float>.Count)
            {
                var best = Vector256.Create<float>(rowMax.AsSpan((i0 * wo) + ox));
                var arg = Vector256.Create<int>(rowArg.AsSpan((i0 * wo) + ox));
                for (var i = i0 + 1; i < i1; i++)
                {
                    var v = Vector256.Create<float>(rowMax.AsSpan((i * wo) + ox));
                    var take = Vector256.GreaterThan(v, best) | (~Vector256.Equals(v, v) & Vector256.Equals(best, best));
                    best = Vector256.ConditionalSelect(take, v, best);
                    arg = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create<int>(rowArg.AsSpan((i * wo) + ox)), arg);
                }

                best.CopyTo(y[((oy * wo) + ox)..]);
                arg.CopyTo(from[((oy * wo) + ox)..]);
            }

            for (; ox < wo; ox++)
            {
                var (best, arg) = (rowMax[(i0 * wo) + ox], rowArg[(i0 * wo) + ox]);
                for (var i = i0 + 1; i < i1; i++)
                {
                    var v = rowMax[(i * wo) + ox];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        (best, arg) = (v, rowArg[(i * wo) + ox]);
                    }
                }

                y[(oy * wo) + ox] = best;
                from[(oy * wo) + ox] = arg;
            }
        }
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
}
