using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// <see cref="Convolution"/>'s route for small feature maps: groups of images are unfolded side by side into the matrix
/// of their receptive fields (im2col, <c>[C·KH·KW, images·Ho·Wo]</c>, in parallel over the images), so the convolution is
/// one large product per group with the weight on the blocked <see cref="Gemm"/>, shared across cores. The backward pass
/// unfolds again instead of keeping every image's matrix, and folds the input gradient back (col2im). The group size
/// depends on the shapes only and every sum runs in a fixed order, so results are bit-identical run to run and for any
/// thread count.
/// </summary>
internal static class GroupedIm2Col
{
    /// <summary><c>y = conv(x, weight) + bias</c>, overwriting <paramref name="y"/>.</summary>
    public static void Forward(float[] x, float[] weight, float[]? bias, float[] y, Conv2dShape s)
    {
        var (n, o, pixels) = (s.N, s.O, s.Ho * s.Wo);
        var geometry = new Unfold(s.C, s.H, s.W, s.KH, s.KW, s.Stride, s.Padding, s.Ho, s.Wo);
        var rows = geometry.Rows;
        var group = ConvolutionGroup(rows, pixels, n);
        var cols = Scratch.Floats.Rent(rows * group * pixels);
        var products = Scratch.Floats.Rent(o * group * pixels);
        try
        {
            for (var first = 0; first < n; first += group)
            {
                var images = Math.Min(group, n - first);
                geometry.Im2Col(x, first, images, cols);
                Gemm.Multiply(weight, false, cols, false, products, o, images * pixels, rows, accumulate: false);
                Planes(products, y, first, images, o, pixels, toImages: true, bias);
            }
        }
        finally
        {
            Scratch.Floats.Return(cols);
            Scratch.Floats.Return(products);
        }
    }

    /// <summary>Adds the input and weight gradients for the upstream gradient <paramref name="g"/> into <paramref name="dx"/> and <paramref name="dw"/>, each when not null.</summary>
    public static void Backward(float[] x, float[] weight, float[] g, float[]? dx, float[]? dw, Conv2dShape s)
    {
        var (n, o, pixels) = (s.N, s.O, s.Ho * s.Wo);
        var geometry = new Unfold(s.C, s.H, s.W, s.KH, s.KW, s.Stride, s.Padding, s.Ho, s.Wo);
        var rows = geometry.Rows;
        var group = ConvolutionGroup(rows, pixels, n);
        var gradCols = Scratch.Floats.Rent(rows * group * pixels);
        var gradPlanes = Scratch.Floats.Rent(o * group * pixels);
        var weightGradT = new float[rows * o];
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
                    geometry.Im2Col(x, first, images, gradCols);
                    Gemm.Multiply(gradCols, false, gradPlanes, true, weightGradT, rows, o, width, accumulate: false);
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
                    Gemm.Multiply(weight, true, gradPlanes, false, gradCols, rows, width, o, accumulate: false);
                    geometry.Col2ImAdd(gradCols, first, images, dx);
                }
            }
        }
        finally
        {
            Scratch.Floats.Return(gradCols);
            Scratch.Floats.Return(gradPlanes);
        }
    }

    /// <summary>
    /// How many images one product unfolds together: as many as fit about 2M floats (8 MB) of
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
                    TensorPrimitives.Add(inGroup, bias[ch], inBatch);
                }
                else
                {
                    inGroup.CopyTo(inBatch);
                }
            }
        }
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
                        TensorPrimitives.Add(run, row[lo..hi], run);
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
