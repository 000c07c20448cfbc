using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The CPU backend: <see cref="TensorPrimitives"/> (SIMD) for element-wise work and reductions, the blocked, multi-threaded
/// <see cref="Tensors.Gemm"/> for products, <see cref="Convolution"/> for convolutions, and a vectorised Adam update.
/// </summary>
public sealed class CpuKernels : IKernels
{
    private CpuKernels()
    {
    }

    /// <summary>The one instance.</summary>
    public static CpuKernels Instance { get; } = new();

    /// <inheritdoc />
    public void Gemm(float[] a, bool transA, float[] b, bool transB, float[] c, int m, int n, int k, bool accumulate) =>
        Tensors.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate);

    /// <inheritdoc />
    public void Conv2d(float[] x, float[] weight, float[]? bias, float[] y, Conv2dShape shape, bool relu) => Convolution.Forward(x, weight, bias, y, shape, relu);

    /// <inheritdoc />
    public void Conv2dBackward(float[] x, float[] weight, float[] gradY, float[]? dx, float[]? dw, float[]? db, Conv2dShape shape) =>
        Convolution.Backward(x, weight, gradY, dx, dw, db, shape);

    /// <inheritdoc />
    public void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Add(x, y, dst);

    /// <inheritdoc />
    public void Add(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Add(x, y, dst);

    /// <inheritdoc />
    public void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Subtract(x, y, dst);

    /// <inheritdoc />
    public void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => TensorPrimitives.Multiply(x, y, dst);

    /// <inheritdoc />
    public void Multiply(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Multiply(x, y, dst);

    /// <inheritdoc />
    public void Negate(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Negate(x, dst);

    /// <inheritdoc />
    public void Max(ReadOnlySpan<float> x, float y, Span<float> dst) => TensorPrimitives.Max(x, y, dst);

    /// <inheritdoc />
    public void AddWherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) => WherePositive(x, y, dst, add: true, nameof(AddWherePositive));

    /// <inheritdoc />
    public void KeepWherePositive(ReadOnlySpan<float> x, Span<float> dst) => WherePositive(x, dst, dst, add: false, nameof(KeepWherePositive));

    /// <summary>ReLU's gradient, vectorised: <c>dst = y</c> (or <c>dst += y</c>) where <c>x &gt; 0</c>, else <c>dst = 0</c> (or unchanged); <paramref name="y"/> may be <paramref name="dst"/>.</summary>
    private static void WherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, bool add, string kernel)
    {
        if (y.Length != x.Length || dst.Length != x.Length)
        {
            throw new ArgumentException($"{kernel}: lengths {x.Length}, {y.Length} and {dst.Length} differ");
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var yr = ref MemoryMarshal.GetReference(y);
            ref var dr = ref MemoryMarshal.GetReference(dst);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var kept = Vector256.LoadUnsafe(ref yr, (nuint)i) & Vector256.GreaterThan(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256<float>.Zero);
                (add ? Vector256.LoadUnsafe(ref dr, (nuint)i) + kept : kept).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            var kept = x[i] > 0f ? y[i] : 0f;
            dst[i] = add ? dst[i] + kept : kept;
        }
    }

    /// <inheritdoc />
    public void Tanh(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Tanh(x, dst);

    /// <inheritdoc />
    public float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => TensorPrimitives.Dot(x, y);

    /// <inheritdoc />
    public float Sum(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);

    /// <inheritdoc />
    public float Max(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);

    /// <inheritdoc />
    /// <remarks>Vectorised with the same operations in the same order as the scalar tail (no fused multiply-add), so every lane computes exactly what the scalar loop would.</remarks>
    public void AdamStep(Span<float> parameter, ReadOnlySpan<float> gradient, float[] m, float[] v, float step, float sqrtCorrection2, float beta1, float beta2, float eps, float decay)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var (vb1, vb2, vc1, vc2) = (new Vector<float>(beta1), new Vector<float>(beta2), new Vector<float>(1f - beta1), new Vector<float>(1f - beta2));
            var (vStep, vSqrt, vEps, vDecay) = (new Vector<float>(step), new Vector<float>(sqrtCorrection2), new Vector<float>(eps), new Vector<float>(decay));
            for (; i <= parameter.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = new Vector<float>(parameter[i..]);
                var g = new Vector<float>(gradient[i..]);
                if (decay > 0f)
                {
                    g += vDecay * p;
                }

                var mv = (vb1 * new Vector<float>(m, i)) + (vc1 * g);
                var vv = (vb2 * new Vector<float>(v, i)) + (vc2 * g * g);
                mv.CopyTo(m, i);
                vv.CopyTo(v, i);
                (p - (vStep * mv / ((Vector.SquareRoot(vv) / vSqrt) + vEps))).CopyTo(parameter[i..]);
            }
        }

        for (; i < parameter.Length; i++)
        {
            var g = gradient[i];
            if (decay > 0f)
            {
                g += decay * parameter[i];
            }

            m[i] = (beta1 * m[i]) + ((1f - beta1) * g);
            v[i] = (beta2 * v[i]) + ((1f - beta2) * g * g);
            parameter[i] -= step * m[i] / ((MathF.Sqrt(v[i]) / sqrtCorrection2) + eps);
        }
    }
}
