using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The CPU backend's 2-D convolution (<see cref="IKernels.Conv2d"/> and <see cref="IKernels.Conv2dBackward"/>), written
/// here because the engine is our own (DESIGN.md §4: TorchSharp does not run on Debian 12). Every product runs on one
/// micro-kernel (<see cref="Gemm.OffsetKernel"/>: 8×16 on 512-bit vectors, else 6×16) that reads B's rows at given
/// offsets, so no operand is packed beyond the weight, and no receptive-field matrix larger than a cache-sized group of
/// images is ever written.
/// </summary>
/// <remarks>
/// Two routes, chosen by the shapes alone:
/// <list type="bullet">
/// <item><b>Padded</b> (<see cref="UsePadded"/>: output rows at least 16 wide and a multiple of 8; the early, large
/// feature maps, where an encoder spends most of its time): each image is copied once into a zero-padded buffer split
/// into stride phases (<see cref="PaddedPlan"/>), and the micro-kernel reads every receptive field straight from it, one
/// offset per (channel, ky, kx). The weight gradient is a dot-product kernel over the same buffer; for stride 1 the input
/// gradient is the padded convolution of the output gradient with the flipped, transposed weight.</item>
/// <item><b>Unfolded</b> otherwise: the receptive fields of a group of images (about 256 columns, each image's columns
/// rounded up to 16) are copied side by side from each image's padded buffer (im2col) into a buffer that stays in
/// cache, and the micro-kernel reads them from there; the input gradient is formed the same way and folded back
/// (col2im).</item>
/// </list>
/// Every output element is summed in an order fixed by the shapes: the weight gradient splits the images among a fixed
/// number of lanes (each sums its images in order, then the lanes are added in order), never by the thread count, so
/// results are bit-identical run to run and for any <see cref="Parallelism.MaxThreads"/>.
/// </remarks>
internal static class Convolution
{
    /// <summary>Lanes of the weight gradient: fixed, so its sums do not depend on the thread count.</summary>
    private const int Lanes = 8;

    /// <summary>About how many columns one group of the unfolded route holds (a few hundred kilobytes of receptive fields).</summary>
    private const int GroupColumns = 256;

    /// <summary><c>y = conv(x, weight) + bias</c>, or its ReLU, overwriting <paramref name="y"/>.</summary>
    public static void Forward(float[] x, float[] weight, float[]? bias, float[] y, Conv2dShape s, bool relu)
    {
        var epilogue = relu ? Epilogue.WriteRelu : Epilogue.Write;
        var packed = PackRows(s.O, s.Rows, (o, r) => weight[(o * s.Rows) + r]);
        var (image, output) = (s.C * s.H * s.W, s.O * s.Ho * s.Wo);
        if (UsePadded(s))
        {
            var plan = new PaddedPlan(s.C, s.H, s.W, s.O, s.KH, s.KW, s.Stride, s.Padding, packed);
            EachImage(s.N, plan.PaddedLength, (i, padded) =>
            {
                plan.Pad(x.AsSpan(i * image, image), padded);
                plan.Run(padded, y.AsSpan(i * output, output), bias, epilogue);
            });
            return;
        }

        var f = new Fields(s);
        var groups = (s.N + f.Group - 1) / f.Group;
        Parallelism.For(Parallelism.MaxThreads, groups, group =>
        {
            var first = group * f.Group;
            var images = Math.Min(f.Group, s.N - first);
            var cols = f.Rent(s.Rows);
            var padded = Scratch.Floats.Rent(f.Plan.PaddedLength);
            try
            {
                f.Unfold(x, first, images, padded, cols);

                f.Multiply(packed, s.O, cols, f.Offsets(s.Rows), s.Rows, images, (j, row, column) => ((((first + j) * s.O) + row) * f.Pixels) + column, f.Pixels, f.Pixels, y, epilogue, bias);
            }
            finally
            {
                Scratch.Floats.Return(cols);
                Scratch.Floats.Return(padded);
            }
        });
    }

    /// <summary>Adds the gradients for the upstream gradient <paramref name="g"/> into <paramref name="dx"/>, <paramref name="dw"/> and <paramref name="db"/>, each when not null.</summary>
    public static void Backward(float[] x, float[] weight, float[] g, float[]? dx, float[]? dw, float[]? db, Conv2dShape s)
    {
        var pixels = s.Ho * s.Wo;
        if (db is not null)
        {
            // Each channel's sum on its own, image by image: the order is fixed whatever the threads.
            Parallelism.For(Parallelism.MaxThreads, s.O, o =>
            {
                var sum = 0f;
                for (var i = 0; i < s.N; i++)
                {
                    sum += TensorPrimitives.Sum(g.AsSpan(((i * s.O) + o) * pixels, pixels));
                }

                db[o] += sum;
            });
        }

        var paddedWeight = dw is not null && UsePadded(s);
        var paddedInput = dx is not null && UsePaddedInputGradient(s);
        if ((dw is not null && !paddedWeight) || (dx is not null && !paddedInput))
        {
            UnfoldedBackward(x, weight, g, paddedInput ? null : dx, paddedWeight ? null : dw, s);
        }

        if (paddedWeight)
        {
            PaddedWeightGradient(x, g, dw!, s);
        }

        if (paddedInput)
        {
            PaddedInputGradient(weight, g, dx!, s);
        }
    }

    /// <summary>Whether the forward pass and the weight gradient take the padded route: output rows at least 16 wide, a multiple of 8.</summary>
    internal static bool UsePadded(Conv2dShape s) => s.Wo >= 16 && s.Wo % 8 == 0;

    /// <summary>Whether the input gradient takes the padded route: stride 1, a square kernel no smaller than the padding needs, input rows at least 16 wide.</summary>
    internal static bool UsePaddedInputGradient(Conv2dShape s) => s.Stride == 1 && s.KH == s.KW && s.Padding <= s.KH - 1 && s.W >= 16;

    /// <summary>dW += Σ over images of the output gradient times the receptive fields, image by image in a fixed number of lanes.</summary>
    private static void PaddedWeightGradient(float[] x, float[] g, float[] dw, Conv2dShape s)
    {
        var plan = new PaddedPlan(s.C, s.H, s.W, s.O, s.KH, s.KW, s.Stride, s.Padding, packedA: null);
        var (image, output) = (s.C * s.H * s.W, s.O * s.Ho * s.Wo);
        InLanes(s.N, s.O * s.Rows, dw, (from, to, sums) =>
        {
            var padded = Scratch.Floats.Rent(plan.PaddedLength);
            try
            {
                padded.AsSpan(0, plan.PaddedLength).Clear();
                for (var i = from; i < to; i++)
                {
                    plan.Pad(x.AsSpan(i * image, image), padded);
                    plan.WeightGradient(g.AsSpan(i * output, output), padded, sums);
                }
            }
            finally
            {
                Scratch.Floats.Return(padded);
            }
        });
    }

    /// <summary>
    /// dx += the stride-1 convolution's transpose: the output gradient (O channels) convolved with the weight flipped in
    /// both axes and with its channel axes swapped, under padding KH − 1 − padding, which gives back H × W.
    /// </summary>
    private static void PaddedInputGradient(float[] weight, float[] g, float[] dx, Conv2dShape s)
    {
        var (k, rows) = (s.KH, s.O * s.KH * s.KW);
        var flipped = PackRows(s.C, rows, (c, r) =>
        {
            int o = r / (k * k), ky = r / k % k, kx = r % k;
            return weight[(((((o * s.C) + c) * k) + (k - 1 - ky)) * k) + (k - 1 - kx)];
        });
        var plan = new PaddedPlan(s.O, s.Ho, s.Wo, s.C, k, k, 1, k - 1 - s.Padding, flipped);
        var (image, output) = (s.C * s.H * s.W, s.O * s.Ho * s.Wo);
        EachImage(s.N, plan.PaddedLength, (i, padded) =>
        {
            plan.Pad(g.AsSpan(i * output, output), padded);
            plan.Run(padded, dx.AsSpan(i * image, image), null, Epilogue.Add);
        });
    }

    /// <summary>
    /// The unfolded route's backward pass, in a fixed number of lanes of images, group by group: the output gradient's
    /// planes side by side; dW += planes · fieldsᵀ (dot products); dx += col2im(Wᵀ · planes).
    /// </summary>
    private static void UnfoldedBackward(float[] x, float[] weight, float[] g, float[]? dx, float[]? dw, Conv2dShape s)
    {
        var f = new Fields(s);
        var (image, output, rows) = (s.C * s.H * s.W, s.O * f.Pixels, s.Rows);
        var transposed = dx is null ? null : PackRows(rows, s.O, (r, o) => weight[(o * rows) + r]);
        var (fieldOffsets, planeOffsets) = (f.Offsets(rows), f.Offsets(s.O));
        InLanes(s.N, dw is null ? 0 : s.O * rows, dw, (from, to, sums) =>
        {
            var planes = f.Rent(s.O);
            var cols = f.Rent(rows);
            var padded = Scratch.Floats.Rent(f.Plan.PaddedLength);
            try
            {
                for (var first = from; first < to; first += f.Group)
                {
                    var images = Math.Min(f.Group, to - first);
                    for (var j = 0; j < images; j++)
                    {
                        for (var o = 0; o < s.O; o++)
                        {
                            g.AsSpan(((first + j) * output) + (o * f.Pixels), f.Pixels).CopyTo(planes.AsSpan((o * f.Width) + (j * f.Columns)));
                        }
                    }

                    if (dw is not null)
                    {
                        f.Unfold(x, first, images, padded, cols);

                        Dot(planes, f.Width, cols, fieldOffsets, s.O, rows, 1, images * f.Columns, 0, 0, sums);
                    }

                    if (dx is not null)
                    {
                        f.Multiply(transposed!, rows, planes, planeOffsets, s.O, images, (j, row, column) => (row * f.Width) + (j * f.Columns) + column, f.Width, f.Columns, cols, Epilogue.Write, null);
                        for (var j = 0; j < images; j++)
                        {
                            padded.AsSpan(0, f.Plan.PaddedLength).Clear();
                            f.Plan.ScatterAdd(cols, f.Width, j * f.Columns, padded);
                            f.Plan.UnpadAdd(padded, dx.AsSpan((first + j) * image, image));
                        }
                    }
                }
            }
            finally
            {
                Scratch.Floats.Return(planes);
                Scratch.Floats.Return(cols);
                Scratch.Floats.Return(padded);
            }
        });
    }

    /// <summary>
    /// Splits images 0 … n − 1 into a fixed number of contiguous lanes, runs <paramref name="lane"/> on each (in parallel,
    /// with its own zeroed sums of <paramref name="size"/> floats), then adds the sums into <paramref name="total"/> lane by lane.
    /// </summary>
    private static void InLanes(int n, int size, float[]? total, Action<int, int, Span<float>> lane)
    {
        var lanes = Math.Min(Lanes, n);
        var partial = Scratch.Floats.Rent(Math.Max(1, lanes * size));
        try
        {
            Array.Clear(partial, 0, lanes * size);
            Parallelism.ForRanges(n, lanes, (l, from, to) => lane(from, to, partial.AsSpan(l * size, size)));
            for (var l = 0; total is not null && l < lanes; l++)
            {
                TensorPrimitives.Add(total, partial.AsSpan(l * size, size), total);
            }
        }
        finally
        {
            Scratch.Floats.Return(partial);
        }
    }

    /// <summary>Runs <paramref name="body"/> for every image, in contiguous chunks across threads, each chunk with its own zeroed padded buffer.</summary>
    private static void EachImage(int n, int paddedLength, Action<int, float[]> body)
    {
        Parallelism.ForRanges(n, Math.Min(n, Parallelism.MaxThreads * 4), (_, first, end) =>
        {
            var padded = Scratch.Floats.Rent(paddedLength);
            try
            {
                padded.AsSpan(0, paddedLength).Clear();
                for (var i = first; i < end; i++)
                {
                    body(i, padded);
                }
            }
            finally
            {
                Scratch.Floats.Return(padded);
            }
        });
    }

    /// <summary>
    /// Packs an <c>m × k</c> matrix (given element by element) into panels of <see cref="Gemm.PanelRows"/> rows:
    /// <c>packed[(p·k + kk)·P + r] = A(p·P + r, kk)</c> for P rows per panel, zero past row m (the micro-kernel's layout of A).
    /// </summary>
    private static float[] PackRows(int m, int k, Func<int, int, float> a)
    {
        var panels = (m + Gemm.PanelRows - 1) / Gemm.PanelRows;
        var packed = new float[panels * Gemm.PanelRows * k];
        for (var row = 0; row < m; row++)
        {
            var (p, r) = (row / Gemm.PanelRows, row % Gemm.PanelRows);
            for (var kk = 0; kk < k; kk++)
            {
                packed[(((p * k) + kk) * Gemm.PanelRows) + r] = a(row, kk);
            }
        }

        return packed;
    }

    /// <summary>
    /// <c>dw[o·rows + r] += Σ_t g[o·gStride + seg·gStep + t] · fields[fieldOffsets[r] + seg·fStep + t]</c> over
    /// <paramref name="segments"/> segments of <paramref name="length"/> terms (a multiple of 8): 4 × 4 blocks of
    /// (channel, row) pairs, each sixteen vector accumulators (512-bit ones where they run in hardware and the length is a
    /// multiple of 16), reduced once per block.
    /// </summary>
    private static void Dot(ReadOnlySpan<float> g, int gStride, ReadOnlySpan<float> fields, int[] fieldOffsets, int m, int rows, int segments, int length, int gStep, int fStep, Span<float> dw)
    {
        ref var gr = ref MemoryMarshal.GetReference(g);
        ref var xr = ref MemoryMarshal.GetReference(fields);
        var wide = Vector512.IsHardwareAccelerated && length % 16 == 0;
        Span<float> block = stackalloc float[16];
        Span<int> gAt = stackalloc int[4];
        Span<int> xAt = stackalloc int[4];
        for (var o0 = 0; o0 < m; o0 += 4)
        {
            for (var i = 0; i < 4; i++)
            {
                gAt[i] = Math.Min(o0 + i, m - 1) * gStride;
            }

            for (var r0 = 0; r0 < rows; r0 += 4)
            {
                for (var j = 0; j < 4; j++)
                {
                    xAt[j] = fieldOffsets[Math.Min(r0 + j, rows - 1)];
                }

                if (wide)
                {
                    Block512(ref gr, ref xr, gAt, xAt, segments, length, gStep, fStep, block);
                }
                else
                {
                    Block256(ref gr, ref xr, gAt, xAt, segments, length, gStep, fStep, block);
                }

                for (var i = 0; i < Math.Min(4, m - o0); i++)
                {
                    for (var j = 0; j < Math.Min(4, rows - r0); j++)
                    {
                        dw[((o0 + i) * rows) + r0 + j] += block[(i * 4) + j];
                    }
                }
            }
        }
    }

    /// <summary>One 4 × 4 block of <see cref="Dot"/> on 256-bit vectors: <c>block[4i + j] = Σ g-row i · field-row j</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block256(ref float gr, ref float xr, ReadOnlySpan<int> gAt, ReadOnlySpan<int> xAt, int segments, int length, int gStep, int fStep, Span<float> block)
    {
        var (g0, g1, g2, g3) = ((nuint)gAt[0], (nuint)gAt[1], (nuint)gAt[2], (nuint)gAt[3]);
        var (x0, x1, x2, x3) = ((nuint)xAt[0], (nuint)xAt[1], (nuint)xAt[2], (nuint)xAt[3]);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (var seg = 0; seg < segments; seg++)
        {
            var (gBase, xBase) = (seg * gStep, seg * fStep);
            for (var t = 0; t < length; t += 8)
            {
                var (gi, xi) = ((nuint)(gBase + t), (nuint)(xBase + t));
                var v0 = Vector256.LoadUnsafe(ref xr, x0 + xi);
                var v1 = Vector256.LoadUnsafe(ref xr, x1 + xi);
                var v2 = Vector256.LoadUnsafe(ref xr, x2 + xi);
                var v3 = Vector256.LoadUnsafe(ref xr, x3 + xi);
                var u = Vector256.LoadUnsafe(ref gr, g0 + gi);
                (s00, s01, s02, s03) = (Vector256.FusedMultiplyAdd(u, v0, s00), Vector256.FusedMultiplyAdd(u, v1, s01), Vector256.FusedMultiplyAdd(u, v2, s02), Vector256.FusedMultiplyAdd(u, v3, s03));
                u = Vector256.LoadUnsafe(ref gr, g1 + gi);
                (s10, s11, s12, s13) = (Vector256.FusedMultiplyAdd(u, v0, s10), Vector256.FusedMultiplyAdd(u, v1, s11), Vector256.FusedMultiplyAdd(u, v2, s12), Vector256.FusedMultiplyAdd(u, v3, s13));
                u = Vector256.LoadUnsafe(ref gr, g2 + gi);
                (s20, s21, s22, s23) = (Vector256.FusedMultiplyAdd(u, v0, s20), Vector256.FusedMultiplyAdd(u, v1, s21), Vector256.FusedMultiplyAdd(u, v2, s22), Vector256.FusedMultiplyAdd(u, v3, s23));
                u = Vector256.LoadUnsafe(ref gr, g3 + gi);
                (s30, s31, s32, s33) = (Vector256.FusedMultiplyAdd(u, v0, s30), Vector256.FusedMultiplyAdd(u, v1, s31), Vector256.FusedMultiplyAdd(u, v2, s32), Vector256.FusedMultiplyAdd(u, v3, s33));
            }
        }

        (block[0], block[1], block[2], block[3]) = (Vector256.Sum(s00), Vector256.Sum(s01), Vector256.Sum(s02), Vector256.Sum(s03));
        (block[4], block[5], block[6], block[7]) = (Vector256.Sum(s10), Vector256.Sum(s11), Vector256.Sum(s12), Vector256.Sum(s13));
        (block[8], block[9], block[10], block[11]) = (Vector256.Sum(s20), Vector256.Sum(s21), Vector256.Sum(s22), Vector256.Sum(s23));
        (block[12], block[13], block[14], block[15]) = (Vector256.Sum(s30), Vector256.Sum(s31), Vector256.Sum(s32), Vector256.Sum(s33));
    }

    /// <summary><see cref="Block256"/> on 512-bit vectors, for lengths that are a multiple of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block512(ref float gr, ref float xr, ReadOnlySpan<int> gAt, ReadOnlySpan<int> xAt, int segments, int length, int gStep, int fStep, Span<float> block)
    {
        var (g0, g1, g2, g3) = ((nuint)gAt[0], (nuint)gAt[1], (nuint)gAt[2], (nuint)gAt[3]);
        var (x0, x1, x2, x3) = ((nuint)xAt[0], (nuint)xAt[1], (nuint)xAt[2], (nuint)xAt[3]);
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (var seg = 0; seg < segments; seg++)
        {
            var (gBase, xBase) = (seg * gStep, seg * fStep);
            for (var t = 0; t < length; t += 16)
            {
                var (gi, xi) = ((nuint)(gBase + t), (nuint)(xBase + t));
                var v0 = Vector512.LoadUnsafe(ref xr, x0 + xi);
                var v1 = Vector512.LoadUnsafe(ref xr, x1 + xi);
                var v2 = Vector512.LoadUnsafe(ref xr, x2 + xi);
                var v3 = Vector512.LoadUnsafe(ref xr, x3 + xi);
                var u = Vector512.LoadUnsafe(ref gr, g0 + gi);
                (s00, s01, s02, s03) = (Vector512.FusedMultiplyAdd(u, v0, s00), Vector512.FusedMultiplyAdd(u, v1, s01), Vector512.FusedMultiplyAdd(u, v2, s02), Vector512.FusedMultiplyAdd(u, v3, s03));
                u = Vector512.LoadUnsafe(ref gr, g1 + gi);
                (s10, s11, s12, s13) = (Vector512.FusedMultiplyAdd(u, v0, s10), Vector512.FusedMultiplyAdd(u, v1, s11), Vector512.FusedMultiplyAdd(u, v2, s12), Vector512.FusedMultiplyAdd(u, v3, s13));
                u = Vector512.LoadUnsafe(ref gr, g2 + gi);
                (s20, s21, s22, s23) = (Vector512.FusedMultiplyAdd(u, v0, s20), Vector512.FusedMultiplyAdd(u, v1, s21), Vector512.FusedMultiplyAdd(u, v2, s22), Vector512.FusedMultiplyAdd(u, v3, s23));
                u = Vector512.LoadUnsafe(ref gr, g3 + gi);
                (s30, s31, s32, s33) = (Vector512.FusedMultiplyAdd(u, v0, s30), Vector512.FusedMultiplyAdd(u, v1, s31), Vector512.FusedMultiplyAdd(u, v2, s32), Vector512.FusedMultiplyAdd(u, v3, s33));
            }
        }

        (block[0], block[1], block[2], block[3]) = (Vector512.Sum(s00), Vector512.Sum(s01), Vector512.Sum(s02), Vector512.Sum(s03));
        (block[4], block[5], block[6], block[7]) = (Vector512.Sum(s10), Vector512.Sum(s11), Vector512.Sum(s12), Vector512.Sum(s13));
        (block[8], block[9], block[10], block[11]) = (Vector512.Sum(s20), Vector512.Sum(s21), Vector512.Sum(s22), Vector512.Sum(s23));
        (block[12], block[13], block[14], block[15]) = (Vector512.Sum(s30), Vector512.Sum(s31), Vector512.Sum(s32), Vector512.Sum(s33));
    }

    /// <summary>
    /// The unfolded route's layout for one shape: each image's <see cref="Pixels"/> columns rounded up to
    /// <see cref="Columns"/> (a multiple of the micro-kernel's 16), <see cref="Group"/> images side by side in rows
    /// <see cref="Width"/> long. The rounding columns are zero in every buffer <see cref="Rent"/> gives, and nothing
    /// writes them but the micro-kernel's products of those zeros.
    /// </summary>
    private readonly struct Fields
    {
        public Fields(Conv2dShape s)
        {
            Plan = new PaddedPlan(s.C, s.H, s.W, s.O, s.KH, s.KW, s.Stride, s.Padding, packedA: null);
            Pixels = s.Ho * s.Wo;
            Columns = (Pixels + Gemm.NR - 1) / Gemm.NR * Gemm.NR;
            Group = Math.Clamp((GroupColumns + Columns - 1) / Columns, 1, s.N);
            Width = Group * Columns;
        }

        /// <summary>The padded layout an image's receptive fields are copied from.</summary>
        public PaddedPlan Plan { get; }

        public int Pixels { get; }

        public int Columns { get; }

        public int Group { get; }

        public int Width { get; }

        /// <summary>
        /// The receptive fields of images <paramref name="first"/> … + <paramref name="images"/> of <paramref name="x"/>
        /// side by side in <paramref name="cols"/> (im2col), each copied from its zero-padded copy in <paramref name="padded"/>.
        /// </summary>
        public void Unfold(float[] x, int first, int images, float[] padded, float[] cols)
        {
            var image = Plan.ImageLength;
            padded.AsSpan(0, Plan.PaddedLength).Clear();
            for (var j = 0; j < images; j++)
            {
                Plan.Pad(x.AsSpan((first + j) * image, image), padded);
                Plan.Gather(padded, cols, Width, j * Columns);
            }
        }

        /// <summary>A zeroed buffer of <paramref name="rows"/> rows.</summary>
        public float[] Rent(int rows)
        {
            var buffer = Scratch.Floats.Rent(rows * Width);
            buffer.AsSpan(0, rows * Width).Clear();
            return buffer;
        }

        /// <summary>The offset of each of <paramref name="rows"/> rows.</summary>
        public int[] Offsets(int rows)
        {
            var offsets = new int[rows];
            for (var r = 0; r < rows; r++)
            {
                offsets[r] = r * Width;
            }

            return offsets;
        }

        /// <summary>
        /// <c>C = A · B</c> for each image j of a group and each 16-column panel of it: A packed (<paramref name="m"/> rows,
        /// <paramref name="k"/> terms), B's rows at <paramref name="offsets"/> from the panel's column of
        /// <paramref name="b"/>, C's element (row, column) of image j at <paramref name="at"/>(j, row, column), rows
        /// <paramref name="ldc"/> apart; the first <paramref name="keep"/> columns of each image are kept.
        /// </summary>
        public void Multiply(float[] a, int m, float[] b, int[] offsets, int k, int images, Func<int, int, int, int> at, int ldc, int keep, float[] c, Epilogue epilogue, float[]? bias)
        {
            ref var ar = ref MemoryMarshal.GetArrayDataReference(a);
            ref var br = ref MemoryMarshal.GetArrayDataReference(b);
            ref var cr = ref MemoryMarshal.GetArrayDataReference(c);
            ref var offset = ref MemoryMarshal.GetArrayDataReference(offsets);
            for (var j = 0; j < images; j++)
            {
                for (var q = 0; q < Columns; q += Gemm.NR)
                {
                    for (var row0 = 0; row0 < m; row0 += Gemm.PanelRows)
                    {
                        Gemm.OffsetKernel(
                            ref Unsafe.Add(ref ar, row0 * k), ref Unsafe.Add(ref br, (j * Columns) + q), ref offset, k,
                            ref Unsafe.Add(ref cr, at(j, row0, q)), ldc, Math.Min(Gemm.PanelRows, m - row0), Math.Min(Gemm.NR, keep - q), epilogue,
                            bias is null ? default : bias.AsSpan(row0));
                    }
                }
            }
        }
    }

    /// <summary>
    /// One convolution's implicit GEMM: M output channels from C input channels of H × W images under a KH × KW kernel.
    /// An image is held zero-padded and split into its <c>stride</c> column phases,
    /// <c>padded[((c·s + phase)·Hp + y)·Wq + q]</c> = the padded image at row y, column <c>q·s + phase</c>, so that for
    /// output row oy the receptive-field row (c, ky, kx) over output columns ox … ox + 15 is the 16 consecutive floats at
    /// <c>Offsets[(c, ky, kx)] + oy·s·Wq + ox</c>, whatever the stride.
    /// </summary>
    private sealed class PaddedPlan
    {
        private readonly int c, h, w, m, stride, padding, ho, wo, hp, wq, rows;
        private readonly int[] offsets;
        private readonly float[]? packedA;

        public PaddedPlan(int c, int h, int w, int m, int kh, int kw, int stride, int padding, float[]? packedA)
        {
            (this.c, this.h, this.w, this.m, this.stride, this.padding, this.packedA) = (c, h, w, m, stride, padding, packedA);
            ho = ((h + (2 * padding) - kh) / stride) + 1;
            wo = ((w + (2 * padding) - kw) / stride) + 1;
            hp = h + (2 * padding);
            // Wide enough for every phase column of the padded image, and for a full 16-column panel read from the last one.
            wq = Math.Max((w + (2 * padding) + stride - 1) / stride, ((wo + 15) / 16 * 16) + ((kw - 1) / stride));
            rows = c * kh * kw;
            offsets = new int[rows];
            for (var r = 0; r < rows; r++)
            {
                int ch = r / (kh * kw), ky = r / kw % kh, kx = r % kw;
                offsets[r] = (((((ch * stride) + (kx % stride)) * hp) + ky) * wq) + (kx / stride);
            }
        }

        /// <summary>Floats of one padded image.</summary>
        public int PaddedLength => c * stride * hp * wq;

        /// <summary>Floats of one image, <c>C·H·W</c>.</summary>
        public int ImageLength => c * h * w;

        /// <summary>
        /// Writes an image <c>[C, H, W]</c> into its place in <paramref name="padded"/>. The padding positions are never
        /// written, so a buffer zeroed once serves every image of the same plan.
        /// </summary>
        public void Pad(ReadOnlySpan<float> image, Span<float> padded) => Move(image, padded, toPadded: true);

        /// <summary>Adds the image positions of <paramref name="padded"/> onto <paramref name="image"/> <c>[C, H, W]</c> (the adjoint of <see cref="Pad"/>).</summary>
        public void UnpadAdd(ReadOnlySpan<float> padded, Span<float> image) => Move(padded, image, toPadded: false);

        /// <summary>Copies an image's receptive fields from its padded buffer into <paramref name="cols"/> (rows <paramref name="width"/> long), columns <paramref name="at"/> on: im2col without a bounds test.</summary>
        public void Gather(ReadOnlySpan<float> padded, Span<float> cols, int width, int at)
        {
            ref var source = ref MemoryMarshal.GetReference(padded);
            ref var target = ref MemoryMarshal.GetReference(cols);
            for (var r = 0; r < rows; r++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    Run(ref Unsafe.Add(ref source, offsets[r] + (oy * stride * wq)), ref Unsafe.Add(ref target, (r * width) + at + (oy * wo)), wo, add: false);
                }
            }
        }

        /// <summary>Adds each element of an image's columns of <paramref name="cols"/> onto the padded position it came from (the adjoint of <see cref="Gather"/>).</summary>
        public void ScatterAdd(ReadOnlySpan<float> cols, int width, int at, Span<float> padded)
        {
            ref var source = ref MemoryMarshal.GetReference(cols);
            ref var target = ref MemoryMarshal.GetReference(padded);
            for (var r = 0; r < rows; r++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    Run(ref Unsafe.Add(ref source, (r * width) + at + (oy * wo)), ref Unsafe.Add(ref target, offsets[r] + (oy * stride * wq)), wo, add: true);
                }
            }
        }

        /// <summary>Copies, or adds, <paramref name="n"/> floats: eight, then four at a time (the runs are a few output columns long, too short for a library call to pay).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Run(ref float from, ref float to, int n, bool add)
        {
            var j = 0;
            for (; j + 8 <= n; j += 8)
            {
                var v = Vector256.LoadUnsafe(ref from, (nuint)j);
                (add ? v + Vector256.LoadUnsafe(ref to, (nuint)j) : v).StoreUnsafe(ref to, (nuint)j);
            }

            for (; j + 4 <= n; j += 4)
            {
                var v = Vector128.LoadUnsafe(ref from, (nuint)j);
                (add ? v + Vector128.LoadUnsafe(ref to, (nuint)j) : v).StoreUnsafe(ref to, (nuint)j);
            }

            for (; j < n; j++)
            {
                Unsafe.Add(ref to, j) = add ? Unsafe.Add(ref to, j) + Unsafe.Add(ref from, j) : Unsafe.Add(ref from, j);
            }
        }

        /// <summary>Image element (ch, y, x) to or from its padded position: column x + padding is phase (x + padding) mod s, column (x + padding) / s.</summary>
        private void Move(ReadOnlySpan<float> from, Span<float> to, bool toPadded)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var y = 0; y < h; y++)
                {
                    var imageRow = ((ch * h) + y) * w;
                    for (var phase = 0; phase < stride; phase++)
                    {
                        var paddedRow = ((((ch * stride) + phase) * hp) + y + padding) * wq;
                        if (stride == 1)
                        {
                            var (image, inPadded) = (imageRow, paddedRow + padding);
                            Run(ref Unsafe.AsRef(in from[toPadded ? image : inPadded]), ref to[toPadded ? inPadded : image], w, add: !toPadded);
                            continue;
                        }

                        if (stride == 2)
                        {
                            // Even image columns x land at padded column x + padding: phase padding mod 2, column x/2 + ⌊padding/2⌋;
                            // odd ones at phase (padding + 1) mod 2, column (x − 1)/2 + ⌊(padding + 1)/2⌋. Both phases at once.
                            if (phase == 0)
                            {
                                var evenAt = (((((ch * 2) + (padding % 2)) * hp) + y + padding) * wq) + (padding / 2);
                                var oddAt = (((((ch * 2) + ((padding + 1) % 2)) * hp) + y + padding) * wq) + ((padding + 1) / 2);
                                if (toPadded)
                                {
                                    Strided.Split2(from.Slice(imageRow, w), to.Slice(evenAt, (w + 1) / 2), to.Slice(oddAt, w / 2));
                                }
                                else
                                {
                                    Strided.Merge2Add(from.Slice(evenAt, (w + 1) / 2), from.Slice(oddAt, w / 2), to.Slice(imageRow, w));
                                }
                            }

                            continue;
                        }

                        // The image columns of this phase: x ≡ phase − padding (mod s), from the first at or after 0, at column (x + padding) / s.
                        var x = (((phase - padding) % stride) + stride) % stride;
                        for (var q = (x + padding) / stride; x < w; x += stride, q++)
                        {
                            if (toPadded)
                            {
                                to[paddedRow + q] = from[imageRow + x];
                            }
                            else
                            {
                                to[imageRow + x] += from[paddedRow + q];
                            }
                        }
                    }
                }
            }
        }

        /// <summary>The convolution of one padded image into <paramref name="output"/> <c>[M, Ho, Wo]</c>: written (plus the bias, maybe through a ReLU) or added.</summary>
        public void Run(ReadOnlySpan<float> padded, Span<float> output, float[]? bias, Epilogue epilogue)
        {
            var pixels = ho * wo;
            ref var b = ref MemoryMarshal.GetReference(padded);
            ref var a = ref MemoryMarshal.GetArrayDataReference(packedA!);
            ref var offset = ref MemoryMarshal.GetArrayDataReference(offsets);
            ref var y = ref MemoryMarshal.GetReference(output);
            var panels = (m + Gemm.PanelRows - 1) / Gemm.PanelRows;
            for (var oy = 0; oy < ho; oy++)
            {
                for (var ox = 0; ox < wo; ox += Gemm.NR)
                {
                    ref var bRow = ref Unsafe.Add(ref b, (oy * stride * wq) + ox);
                    var cols = Math.Min(Gemm.NR, wo - ox);
                    for (var p = 0; p < panels; p++)
                    {
                        var row0 = p * Gemm.PanelRows;
                        Gemm.OffsetKernel(
                            ref Unsafe.Add(ref a, p * rows * Gemm.PanelRows), ref bRow, ref offset, rows,
                            ref Unsafe.Add(ref y, (row0 * pixels) + (oy * wo) + ox), pixels, Math.Min(Gemm.PanelRows, m - row0), cols, epilogue,
                            bias is null ? default : bias.AsSpan(row0));
                    }
                }
            }
        }

        /// <summary><c>dw[o·rows + r] += Σ_pixels g[o, pixel] · field[r, pixel]</c> for one image's output gradient <c>[M, Ho, Wo]</c> and padded buffer.</summary>
        public void WeightGradient(ReadOnlySpan<float> g, ReadOnlySpan<float> padded, Span<float> dw) =>
            Dot(g, ho * wo, padded, offsets, m, rows, ho, wo, wo, stride * wq, dw);
    }
}
