using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// Where each element of a receptive-field matrix (im2col) comes from: row (channel, ky, kx), column (oy, ox) of one
/// image, whose <c>Ho·Wo</c> columns start at a given column of a matrix of a given row length (several images side by
/// side). Used by <see cref="Convolution"/> for feature maps too narrow for its padded route.
/// </summary>
internal readonly record struct Unfold(int C, int H, int W, int KH, int KW, int Stride, int Padding, int Ho, int Wo)
{
    /// <summary>Rows of the matrix: <c>C·KH·KW</c>.</summary>
    public int Rows => C * KH * KW;

    /// <summary>Writes <paramref name="image"/> <c>[C, H, W]</c>'s receptive fields into <paramref name="cols"/> (rows <paramref name="width"/> long), columns <paramref name="at"/> on; outside the image, 0.</summary>
    public void Gather(Span<float> image, Span<float> cols, int width, int at) => Walk(image, cols, width, at, gather: true);

    /// <summary>Adds each element of an image's columns back onto the element of <paramref name="image"/> it came from (the adjoint of <see cref="Gather"/>).</summary>
    public void ScatterAdd(Span<float> cols, Span<float> image, int width, int at) => Walk(image, cols, width, at, gather: false);

    /// <summary>
    /// Visits an image's columns (from <paramref name="at"/> on, in rows <paramref name="width"/> long) row by row: for each (channel, ky, kx, oy) the output pixels ox whose
    /// input lies inside the image form one run, copied (gather) or added back; the rest of the row is padding (0).
    /// With a stride s above 1 the run reads every s-th input element; to keep it a contiguous copy, the image is first
    /// split into s column phases (<c>phase[ch, p, iy, j] = image[ch, iy, j·s + p]</c>), where input column
    /// <c>ox·s − padding + kx</c> is phase <c>(kx − padding) mod s</c>, column <c>ox + ⌊(kx − padding)/s⌋</c>.
    /// </summary>
    private void Walk(Span<float> image, Span<float> cols, int width, int at, bool gather)
    {
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
                var row = cols.Slice((r * width) + at + (oy * Wo), Wo);
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
