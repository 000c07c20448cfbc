using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>
/// Tests for <see cref="Ops.Conv2d"/> on batches large enough for the CPU backend's lanes and groups of images (the
/// gradient properties use tiny batches): the batch's result must equal the convolution of each image alone, forward and
/// backward, and must not depend on the thread count, on both of its routes.
/// </summary>
public sealed class ConvolutionTests
{
    // 80 images in 8 lanes of 10 under a 7×7 stride-2 kernel. 20×20 images give 10×10 outputs: the unfolded route, 100
    // columns rounded to 112, 3 images to a group, so each lane holds three full groups and a partial one. 32×32 images
    // give 16×16 outputs: the padded route.
    private const int N = 80, C = 3, O = 4, K = 7, Stride = 2, Padding = 3;

    [Theory]
    [InlineData(20)]
    [InlineData(32)]
    public void ABatchIsEachImageConvolvedAlone(int side)
    {
        var (h, w) = (side, side);
        var (x, weight, bias) = Inputs(side);
        var batch = Ops.Conv2d(x, weight, bias, Stride, Padding);
        var upstream = Random(new SeededRandom(9), batch.Shape.ToArray());
        Ops.Sum(Ops.Mul(batch, upstream)).Backward();

        var plane = batch.Length / N;
        var image = C * h * w;
        var dw = new float[weight.Length];
        var db = new float[O];
        for (var i = 0; i < N; i++)
        {
            var xi = Tracked(Tensor.FromArray(x.Data.AsSpan(i * image, image).ToArray(), 1, C, h, w));
            var (wi, bi) = (Tracked(Tensor.FromArray([.. weight.Data], weight.Shape.ToArray())), Tracked(Tensor.FromArray([.. bias.Data], O)));
            var alone = Ops.Conv2d(xi, wi, bi, Stride, Padding);
            Assert.Equal(alone.Data, batch.Data.AsSpan(i * plane, plane).ToArray());
            Ops.Sum(Ops.Mul(alone, Tensor.FromArray(upstream.Data.AsSpan(i * plane, plane).ToArray(), alone.Shape.ToArray()))).Backward();
            Assert.Equal(xi.Grad!.Data, x.Grad!.Data.AsSpan(i * image, image).ToArray());
            for (var j = 0; j < dw.Length; j++)
            {
                dw[j] += wi.Grad!.Data[j];
            }

            for (var j = 0; j < O; j++)
            {
                db[j] += bi.Grad!.Data[j];
            }
        }

        for (var j = 0; j < dw.Length; j++)
        {
            Assert.True(Math.Abs(dw[j] - weight.Grad!.Data[j]) <= 1e-3 * (1 + Math.Abs(dw[j])), $"dW[{j}] = {weight.Grad!.Data[j]}, per image {dw[j]}");
        }

        for (var j = 0; j < O; j++)
        {
            Assert.True(Math.Abs(db[j] - bias.Grad!.Data[j]) <= 1e-3 * (1 + Math.Abs(db[j])), $"db[{j}] = {bias.Grad!.Data[j]}, per image {db[j]}");
        }
    }

    [Theory]
    [InlineData(20)]
    [InlineData(32)]
    public void ResultsAndGradientsAreBitIdenticalForAnyThreadCount(int side)
    {
        var saved = Parallelism.MaxThreads;
        try
        {
            var runs = new[] { 1, 2, 3 }.Select(threads =>
            {
                Parallelism.MaxThreads = threads;
                var (x, weight, bias) = Inputs(side);
                var y = Ops.Conv2d(x, weight, bias, Stride, Padding);
                Ops.Sum(Ops.Mul(y, y)).Backward();
                return (y.Data, Dx: x.Grad!.Data, Dw: weight.Grad!.Data, Db: bias.Grad!.Data);
            }).ToArray();
            foreach (var run in runs.Skip(1))
            {
                Assert.Equal(runs[0].Data, run.Data);
                Assert.Equal(runs[0].Dx, run.Dx);
                Assert.Equal(runs[0].Dw, run.Dw);
                Assert.Equal(runs[0].Db, run.Db);
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(0)] // Epilogue.Write
    [InlineData(1)] // Epilogue.WriteRelu
    [InlineData(2)] // Epilogue.Add
    public void TheSixAndEightRowMicroKernelsAgreeBitForBit(int mode)
    {
        // 24 rows of A over 37 terms, B's rows at scattered offsets, a 13-column tile (a partial one) and a full one, with a
        // bias, NaN and -0 among the values: each machine runs one of the kernels, so both must compute the same bits.
        var epilogue = (Epilogue)mode;
        var random = new SeededRandom(11);
        const int M = 24, K = 37, Ldc = 20;
        var a = Random(random, [M, K]).Data;
        var b = Random(random, [K * 24 + 16]).Data;
        b[5] = float.NaN;
        b[7] = -0f;
        var offsets = Enumerable.Range(0, K).Select(kk => (kk * 24) + (kk % 5)).ToArray();
        var bias = Random(random, [M]).Data;
        foreach (var cols in new[] { 13, 16 })
        {
            var start = Random(random, [M * Ldc]).Data;
            var (six, eight) = (start.ToArray(), start.ToArray());
            foreach (var (rows, c, kernel) in new[] { (6, six, 6), (8, eight, 8) })
            {
                for (var row0 = 0; row0 < M; row0 += rows)
                {
                    var packed = new float[rows * K];
                    for (var r = 0; r < rows; r++)
                    {
                        for (var kk = 0; kk < K; kk++)
                        {
                            packed[(kk * rows) + r] = a[((row0 + r) * K) + kk];
                        }
                    }

                    var biasRows = bias.AsSpan(row0, rows);
                    if (kernel == 6)
                    {
                        Gemm.OffsetKernel6(ref packed[0], ref b[0], ref offsets[0], K, ref c[row0 * Ldc], Ldc, rows, cols, epilogue, biasRows);
                    }
                    else
                    {
                        Gemm.OffsetKernel8(ref packed[0], ref b[0], ref offsets[0], K, ref c[row0 * Ldc], Ldc, rows, cols, epilogue, biasRows);
                    }
                }
            }

            Assert.Equal(six.Select(BitConverter.SingleToInt32Bits), eight.Select(BitConverter.SingleToInt32Bits));
            Assert.Contains(six, float.IsNaN);
        }
    }

    private static (Tensor X, Tensor Weight, Tensor Bias) Inputs(int side)
    {
        var random = new SeededRandom(5);
        return (Tracked(Random(random, [N, C, side, side])), Tracked(Random(random, [O, C, K, K])), Tracked(Random(random, [O])));
    }

    private static Tensor Tracked(Tensor t)
    {
        t.RequiresGrad = true;
        return t;
    }

    private static Tensor Random(SeededRandom random, int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextFloat(-1f, 1f);
        }

        return Tensor.FromArray(values, shape);
    }
}
