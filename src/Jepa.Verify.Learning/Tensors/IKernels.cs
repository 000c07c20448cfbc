namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The numeric kernels the engine runs on: the matrix product, element-wise arithmetic, reductions and Adam's
/// update, on row-major float arrays. Autodiff (<see cref="Autograd.Ops"/>), the optimizers and <see cref="Tensor"/>
/// call nothing else for arithmetic on whole arrays, so another backend (a GPU through ILGPU, a BLAS) replaces
/// this one interface (<see cref="Kernels.Backend"/>) and nothing in the autodiff.
/// </summary>
/// <remarks>
/// Every method must be deterministic: the same inputs give bit-identical outputs (the seeds' guarantee rests on it).
/// <c>dst</c> may be the same memory as an input.
/// </remarks>
public interface IKernels
{
    /// <summary><c>C (+)= op(A)[m×k] · op(B)[k×n]</c>; A stored <c>[m×k]</c> or, transposed, <c>[k×m]</c>; B <c>[k×n]</c> or <c>[n×k]</c>.</summary>
    void Gemm(float[] a, bool transA, float[] b, bool transB, float[] c, int m, int n, int k, bool accumulate);

    /// <summary>
    /// <c>y = conv(x, weight) + bias</c>, overwriting <paramref name="y"/>: a 2-D cross-correlation of <c>x[N, C, H, W]</c>
    /// with <c>weight[O, C, KH, KW]</c> (PyTorch's <c>conv2d</c>), <paramref name="bias"/> <c>[O]</c> or null, into
    /// <c>y[N, O, Ho, Wo]</c>; with <paramref name="relu"/>, <c>max(y, 0)</c> (NaN kept, as <see cref="Max(ReadOnlySpan{float}, float, Span{float})"/>).
    /// <paramref name="y"/> may be longer (a pooled scratch array); only its first <c>N·O·Ho·Wo</c> elements are written.
    /// </summary>
    void Conv2d(float[] x, float[] weight, float[]? bias, float[] y, Conv2dShape shape, bool relu);

    /// <summary>
    /// Adds <see cref="Conv2d"/>'s gradients for the upstream gradient <c>gradY[N, O, Ho, Wo]</c> (which may be longer; only
    /// its first <c>N·O·Ho·Wo</c> elements are read) into <paramref name="dx"/>, <paramref name="dw"/> and
    /// <paramref name="db"/>, each when not null.
    /// </summary>
    void Conv2dBackward(float[] x, float[] weight, float[] gradY, float[]? dx, float[]? dw, float[]? db, Conv2dShape shape);

    /// <summary><c>dst = x + y</c>.</summary>
    void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary><c>dst = x + y</c> for a scalar y.</summary>
    void Add(ReadOnlySpan<float> x, float y, Span<float> dst);

    /// <summary><c>dst = x − y</c>.</summary>
    void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary><c>dst = x ⊙ y</c>.</summary>
    void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary><c>dst = x · y</c> for a scalar y.</summary>
    void Multiply(ReadOnlySpan<float> x, float y, Span<float> dst);

    /// <summary><c>dst = −x</c>.</summary>
    void Negate(ReadOnlySpan<float> x, Span<float> dst);

    /// <summary><c>dst = max(x, y)</c> element-wise, for a scalar y.</summary>
    void Max(ReadOnlySpan<float> x, float y, Span<float> dst);

    /// <summary><c>dst += y</c> where <c>x &gt; 0</c>, element-wise (ReLU's gradient; NaN in x counts as not positive).</summary>
    void AddWherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary><c>dst = 0</c> where <c>x</c> is not positive (NaN included), element-wise; elsewhere dst is kept (the gradient of a ReLU applied in place).</summary>
    void KeepWherePositive(ReadOnlySpan<float> x, Span<float> dst);

    /// <summary><c>dst = tanh(x)</c>.</summary>
    void Tanh(ReadOnlySpan<float> x, Span<float> dst);

    /// <summary><c>Σ xᵢyᵢ</c>.</summary>
    float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y);

    /// <summary><c>Σ xᵢ</c>.</summary>
    float Sum(ReadOnlySpan<float> x);

    /// <summary>The largest element (NaN if any is NaN).</summary>
    float Max(ReadOnlySpan<float> x);

    /// <summary>
    /// One Adam update in place, as <see cref="Optimizers.Adam"/> documents it: with <c>g = gradient + decay·p</c>,
    /// <c>m = β₁m + (1−β₁)g</c>, <c>v = β₂v + (1−β₂)g²</c>, <c>p −= step · m / (√v / sqrtCorrection2 + ε)</c>.
    /// </summary>
    void AdamStep(Span<float> parameter, ReadOnlySpan<float> gradient, float[] m, float[] v, float step, float sqrtCorrection2, float beta1, float beta2, float eps, float decay);
}
