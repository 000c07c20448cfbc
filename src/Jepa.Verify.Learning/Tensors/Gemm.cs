using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The matrix product behind every linear layer: <c>C (+)= op(A) · op(B)</c> with optional
/// transposes, blocked for the caches and split across cores.
/// </summary>
/// <remarks>
/// BLIS-style: A is packed into panels of <see cref="MR"/> rows and B into panels of <see cref="NR"/>
/// columns (zero-padded), the k dimension is walked in blocks of <see cref="KC"/>, and a
/// 6×16 register-blocked micro-kernel does fused multiply-adds on 256-bit vectors. Threads own
/// disjoint tiles of C and every element sums its k terms in the same order whatever the thread
/// count, so results are bit-identical run to run. NaN and ∞ propagate as in IEEE arithmetic.
/// It is the product of the CPU backend (<see cref="CpuKernels"/>); a faster backend (a BLAS, a GPU) implements <see cref="IKernels"/> instead.
/// </remarks>
internal static class Gemm
{
    /// <summary>Rows per micro-panel of A.</summary>
    public const int MR = 6;

    /// <summary>Columns per micro-panel of B (two 256-bit vectors).</summary>
    public const int NR = 16;

    /// <summary>The k block: a 16-column panel of B over KC rows is 16 KiB, an L1-sized piece.</summary>
    public const int KC = 256;

    private const long SmallWork = 1L << 13;
    private const long ParallelWork = 1L << 18;

    /// <summary>Row kk of a packed B panel starts at 16·kk, for kk below <see cref="KC"/>.</summary>
    private static readonly int[] PanelOffsets = [.. Enumerable.Range(0, KC).Select(kk => kk * NR)];

    /// <summary>How many threads a large product may use (<see cref="Parallelism.MaxThreads"/>). Results do not depend on it.</summary>
    public static int MaxThreads
    {
        get => Parallelism.MaxThreads;
        set => Parallelism.MaxThreads = value;
    }

    /// <summary>
    /// <c>C[m×n] = op(A)[m×k] · op(B)[k×n]</c>, or <c>C += …</c> when <paramref name="accumulate"/>.
    /// A is stored <c>[m×k]</c>, or <c>[k×m]</c> when <paramref name="transA"/>; B is stored
    /// <c>[k×n]</c>, or <c>[n×k]</c> when <paramref name="transB"/>. All row-major.
    /// </summary>
    public static void Multiply(float[] a, bool transA, float[] b, bool transB, float[] c, int m, int n, int k, bool accumulate)
    {
        if (!accumulate)
        {
            Array.Clear(c, 0, m * n);
        }

        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        var work = (long)m * n * k;
        if (work <= SmallWork)
        {
            Naive(a, transA, b, transB, c, m, n, k);
            return;
        }

        var panelsM = (m + MR - 1) / MR;
        var panelsN = (n + NR - 1) / NR;
        var packedA = Scratch.Floats.Rent(panelsM * MR * k);
        var packedB = Scratch.Floats.Rent(panelsN * NR * k);
        try
        {
            var threads = work >= ParallelWork ? Math.Max(1, MaxThreads) : 1;
            Parallelism.For(threads, panelsM, p => PackA(a, transA, m, k, p, packedA));
            Parallelism.For(threads, panelsN, q => PackB(b, transB, n, k, q, packedB));
            if (panelsM >= threads || panelsM >= panelsN)
            {
                var tasks = Math.Min(threads, panelsM);
                Parallelism.For(tasks, tasks, t => Tile(packedA, packedB, c, m, n, k, Split(panelsM, tasks, t), Split(panelsM, tasks, t + 1), 0, panelsN));
            }
            else
            {
                var tasks = Math.Min(threads, panelsN);
                Parallelism.For(tasks, tasks, t => Tile(packedA, packedB, c, m, n, k, 0, panelsM, Split(panelsN, tasks, t), Split(panelsN, tasks, t + 1)));
            }
        }
        finally
        {
            Scratch.Floats.Return(packedA);
            Scratch.Floats.Return(packedB);
        }
    }

    /// <summary>The reference triple loop (used for tiny products and by the tests).</summary>
    internal static void Naive(float[] a, bool transA, float[] b, bool transB, float[] c, int m, int n, int k)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0f;
                for (var p = 0; p < k; p++)
                {
                    var x = transA ? a[(p * m) + i] : a[(i * k) + p];
                    var y = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                }

                c[(i * n) + j] += sum;
            }
        }
    }

    private static int Split(int total, int parts, int index) => (int)((long)total * index / parts);

    /// <summary>Panel p of A: <c>packed[(p·k + kk)·MR + r] = A(p·MR + r, kk)</c>, zero past row m.</summary>
    private static void PackA(float[] a, bool transA, int m, int k, int p, float[] packed)
    {
        var baseOffset = p * k * MR;
        var row0 = p * MR;
        var rows = Math.Min(MR, m - row0);
        if (rows < MR)
        {
            Array.Clear(packed, baseOffset, k * MR);
        }

        for (var r = 0; r < rows; r++)
        {
            var i = row0 + r;
            if (transA)
            {
                for (var kk = 0; kk < k; kk++)
                {
                    packed[baseOffset + (kk * MR) + r] = a[(kk * m) + i];
                }
            }
            else
            {
                var src = i * k;
                for (var kk = 0; kk < k; kk++)
                {
                    packed[baseOffset + (kk * MR) + r] = a[src + kk];
                }
            }
        }
    }

    /// <summary>Panel q of B: <c>packed[(q·k + kk)·NR + j] = B(kk, q·NR + j)</c>, zero past column n.</summary>
    private static void PackB(float[] b, bool transB, int n, int k, int q, float[] packed)
    {
        var baseOffset = q * k * NR;
        var col0 = q * NR;
        var cols = Math.Min(NR, n - col0);
        if (cols < NR)
        {
            Array.Clear(packed, baseOffset, k * NR);
        }

        if (transB)
        {
            for (var j = 0; j < cols; j++)
            {
                var src = (col0 + j) * k;
                for (var kk = 0; kk < k; kk++)
                {
                    packed[baseOffset + (kk * NR) + j] = b[src + kk];
                }
            }
        }
        else if (cols == NR && Vector256.IsHardwareAccelerated)
        {
            // A full strip: two 8-float vectors per row of k (Array.Copy's call overhead dominated 16-float copies).
            ref var source = ref MemoryMarshal.GetArrayDataReference(b);
            ref var target = ref MemoryMarshal.GetArrayDataReference(packed);
            for (var kk = 0; kk < k; kk++)
            {
                var from = (nuint)((kk * n) + col0);
                var to = (nuint)(baseOffset + (kk * NR));
                Vector256.LoadUnsafe(ref source, from).StoreUnsafe(ref target, to);
                Vector256.LoadUnsafe(ref source, from + 8).StoreUnsafe(ref target, to + 8);
            }
        }
        else
        {
            for (var kk = 0; kk < k; kk++)
            {
                Array.Copy(b, (kk * n) + col0, packed, baseOffset + (kk * NR), cols);
            }
        }
    }

    /// <summary>Computes the C tiles of row panels [p0, p1) × column panels [q0, q1), k block by k block.</summary>
    private static void Tile(float[] packedA, float[] packedB, float[] c, int m, int n, int k, int p0, int p1, int q0, int q1)
    {
        for (var k0 = 0; k0 < k; k0 += KC)
        {
            var kc = Math.Min(KC, k - k0);
            for (var q = q0; q < q1; q++)
            {
                var bOffset = ((q * k) + k0) * NR;
                for (var p = p0; p < p1; p++)
                {
                    Kernel(packedA, ((p * k) + k0) * MR, packedB, bOffset, kc, c, p * MR, q * NR, m, n);
                }
            }
        }
    }

    /// <summary>
    /// The 6×16 micro-kernel on packed panels: C[row0.., col0..] += Apanel · Bpanel over kc terms. A packed B panel is a
    /// B whose row kk lies at offset 16·kk, so this is <see cref="OffsetKernel6"/> with those offsets.
    /// </summary>
    private static void Kernel(float[] packedA, int aOffset, float[] packedB, int bOffset, int kc, float[] c, int row0, int col0, int m, int n) =>
        OffsetKernel6(
            ref packedA[aOffset], ref packedB[bOffset], ref MemoryMarshal.GetArrayDataReference(PanelOffsets), kc,
            ref c[(row0 * n) + col0], n, Math.Min(MR, m - row0), Math.Min(NR, n - col0), Epilogue.Add, default);

    /// <summary>
    /// Rows per packed panel of A for <see cref="OffsetKernel"/>: 8 where 512-bit vectors run in hardware (one vector per
    /// row of the tile: no padding rows for the 16, 32 and 64 channels of an encoder), else <see cref="MR"/>.
    /// </summary>
    public static int PanelRows { get; } = Vector512.IsHardwareAccelerated ? 8 : MR;

    /// <summary>
    /// The micro-kernel of an implicit GEMM (<see cref="Convolution"/>): the <paramref name="rows"/> × <paramref name="cols"/>
    /// tile at <paramref name="c"/> (row stride <paramref name="ldc"/>) becomes, or gains (by <paramref name="epilogue"/>),
    /// a packed panel of <see cref="PanelRows"/> rows of A times B over <paramref name="k"/> terms, where B's row kk is the 16 floats at
    /// <c>b + offsets[kk]</c> (read in full even when fewer columns are kept, so they must lie in the buffer). Written rows
    /// get <c>bias[r]</c> added when <paramref name="bias"/> is not empty.
    /// </summary>
    internal static void OffsetKernel(ref float a, ref float b, ref int offsets, int k, ref float c, int ldc, int rows, int cols, Epilogue epilogue, ReadOnlySpan<float> bias)
    {
        if (PanelRows == 8)
        {
            OffsetKernel8(ref a, ref b, ref offsets, k, ref c, ldc, rows, cols, epilogue, bias);
        }
        else
        {
            OffsetKernel6(ref a, ref b, ref offsets, k, ref c, ldc, rows, cols, epilogue, bias);
        }
    }

    /// <summary><see cref="OffsetKernel"/> with 6-row panels and two 256-bit vectors per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void OffsetKernel6(ref float a, ref float b, ref int offsets, int k, ref float c, int ldc, int rows, int cols, Epilogue epilogue, ReadOnlySpan<float> bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var kk = 0; kk < k; kk++)
        {
            var at = (nuint)Unsafe.Add(ref offsets, kk);
            var b0 = Vector256.LoadUnsafe(ref b, at);
            var b1 = Vector256.LoadUnsafe(ref b, at + 8);
            ref var ak = ref Unsafe.Add(ref a, kk * MR);
            var a0 = Vector256.Create(ak);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(Unsafe.Add(ref ak, 1));
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(Unsafe.Add(ref ak, 2));
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(Unsafe.Add(ref ak, 3));
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(Unsafe.Add(ref ak, 4));
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(Unsafe.Add(ref ak, 5));
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
        }

        var biased = !bias.IsEmpty;
        Store(c00, c01, ref c, cols, epilogue, biased ? bias[0] : 0f);
        if (rows > 1)
        {
            Store(c10, c11, ref Unsafe.Add(ref c, ldc), cols, epilogue, biased ? bias[1] : 0f);
        }

        if (rows > 2)
        {
            Store(c20, c21, ref Unsafe.Add(ref c, 2 * ldc), cols, epilogue, biased ? bias[2] : 0f);
        }

        if (rows > 3)
        {
            Store(c30, c31, ref Unsafe.Add(ref c, 3 * ldc), cols, epilogue, biased ? bias[3] : 0f);
        }

        if (rows > 4)
        {
            Store(c40, c41, ref Unsafe.Add(ref c, 4 * ldc), cols, epilogue, biased ? bias[4] : 0f);
        }

        if (rows > 5)
        {
            Store(c50, c51, ref Unsafe.Add(ref c, 5 * ldc), cols, epilogue, biased ? bias[5] : 0f);
        }
    }

    /// <summary>
    /// <see cref="OffsetKernel"/> with 8-row panels and one 512-bit vector per row. Every element sums its k products in
    /// the same order with the same fused multiply-adds as the 6-row kernel, so the two give bit-identical results.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void OffsetKernel8(ref float a, ref float b, ref int offsets, int k, ref float c, int ldc, int rows, int cols, Epilogue epilogue, ReadOnlySpan<float> bias)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (var kk = 0; kk < k; kk++)
        {
            var bv = Vector512.LoadUnsafe(ref b, (nuint)Unsafe.Add(ref offsets, kk));
            ref var ak = ref Unsafe.Add(ref a, kk * 8);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak), bv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 1)), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 2)), bv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 3)), bv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 4)), bv, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 5)), bv, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 6)), bv, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ak, 7)), bv, c7);
        }

        var biased = !bias.IsEmpty;
        Store(c0.GetLower(), c0.GetUpper(), ref c, cols, epilogue, biased ? bias[0] : 0f);
        if (rows > 1)
        {
            Store(c1.GetLower(), c1.GetUpper(), ref Unsafe.Add(ref c, ldc), cols, epilogue, biased ? bias[1] : 0f);
        }

        if (rows > 2)
        {
            Store(c2.GetLower(), c2.GetUpper(), ref Unsafe.Add(ref c, 2 * ldc), cols, epilogue, biased ? bias[2] : 0f);
        }

        if (rows > 3)
        {
            Store(c3.GetLower(), c3.GetUpper(), ref Unsafe.Add(ref c, 3 * ldc), cols, epilogue, biased ? bias[3] : 0f);
        }

        if (rows > 4)
        {
            Store(c4.GetLower(), c4.GetUpper(), ref Unsafe.Add(ref c, 4 * ldc), cols, epilogue, biased ? bias[4] : 0f);
        }

        if (rows > 5)
        {
            Store(c5.GetLower(), c5.GetUpper(), ref Unsafe.Add(ref c, 5 * ldc), cols, epilogue, biased ? bias[5] : 0f);
        }

        if (rows > 6)
        {
            Store(c6.GetLower(), c6.GetUpper(), ref Unsafe.Add(ref c, 6 * ldc), cols, epilogue, biased ? bias[6] : 0f);
        }

        if (rows > 7)
        {
            Store(c7.GetLower(), c7.GetUpper(), ref Unsafe.Add(ref c, 7 * ldc), cols, epilogue, biased ? bias[7] : 0f);
        }
    }

    /// <summary>One row of a micro-kernel's tile into C: the first <paramref name="cols"/> of 16 sums, by <paramref name="epilogue"/> with <paramref name="add"/> as the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> lo, Vector256<float> hi, ref float dst, int cols, Epilogue epilogue, float add)
    {
        if (cols == NR)
        {
            if (epilogue == Epilogue.Add)
            {
                (lo + Vector256.LoadUnsafe(ref dst)).StoreUnsafe(ref dst);
                (hi + Vector256.LoadUnsafe(ref dst, 8)).StoreUnsafe(ref dst, 8);
                return;
            }

            var bias = Vector256.Create(add);
            (lo, hi) = (lo + bias, hi + bias);
            if (epilogue == Epilogue.WriteRelu)
            {
                (lo, hi) = (Relu(lo), Relu(hi));
            }

            lo.StoreUnsafe(ref dst);
            hi.StoreUnsafe(ref dst, 8);
            return;
        }

        for (var j = 0; j < cols; j++)
        {
            ref var d = ref Unsafe.Add(ref dst, j);
            var sum = j < 8 ? lo.GetElement(j) : hi.GetElement(j - 8);
            d = epilogue switch
            {
                Epilogue.Add => d + sum,
                Epilogue.WriteRelu => sum + add > 0f || float.IsNaN(sum + add) ? sum + add : 0f,
                _ => sum + add,
            };
        }
    }

    /// <summary><c>max(v, 0)</c> with NaN kept and −0 made +0, as <c>TensorPrimitives.Max(v, 0)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Relu(Vector256<float> v) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero) | ~Vector256.Equals(v, v), v, Vector256<float>.Zero);
}
