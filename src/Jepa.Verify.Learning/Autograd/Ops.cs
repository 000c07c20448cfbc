using System.Collections.Immutable;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Autograd;

/// <summary>
/// The differentiable operations P-JEPA needs, on matrices <c>[rows, columns]</c> unless stated.
/// Each returns a new tensor and, while <see cref="GradMode.IsEnabled"/> and an input requires a
/// gradient, records how to back-propagate into its inputs.
/// </summary>
/// <remarks>
/// Kernels are those of <see cref="Kernels.Backend"/> (the CPU one: SIMD spans and the blocked GEMM); every
/// reduction runs in a fixed order, so the same inputs give bit-identical outputs and gradients.
/// NaN and ∞ propagate (training detects them on the loss).
/// </remarks>
public static partial class Ops
{
    /// <summary>Matrix product <c>a[m×k] · b[k×n]</c>.</summary>
    /// <exception cref="ArgumentException">When the inner dimensions differ or an input is not a matrix.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        RequireMatrix(a, nameof(a));
        RequireMatrix(b, nameof(b));
        int m = a.Rows, k = a.Columns, n = b.Columns;
        if (b.Rows != k)
        {
            throw new ArgumentException($"MatMul: [{m}×{k}] · [{b.Rows}×{n}] do not chain", nameof(b));
        }

        var y = new float[m * n];
        Kernels.Backend.Gemm(a.Data, false, b.Data, false, y, m, n, k, accumulate: false);
        return Result(y, [m, n], [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                Kernels.Backend.Gemm(g, false, b.Data, true, a.EnsureGrad(), m, k, n, accumulate: true);
            }

            if (b.RequiresGrad)
            {
                Kernels.Backend.Gemm(a.Data, true, g, false, b.EnsureGrad(), k, n, m, accumulate: true);
            }
        });
    }

    /// <summary>
    /// The affine map of a linear layer, <c>y = x·wᵀ + bias</c>, with <c>x[batch×in]</c>,
    /// <c>w[out×in]</c> (PyTorch's layout) and an optional <c>bias[out]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the shapes do not fit.</exception>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        RequireMatrix(x, nameof(x));
        RequireMatrix(weight, nameof(weight));
        int batch = x.Rows, inputs = x.Columns, outputs = weight.Rows;
        if (weight.Columns != inputs)
        {
            throw new ArgumentException($"Linear: input has {inputs} features, the weight expects {weight.Columns}", nameof(x));
        }

        if (bias is not null && bias.Length != outputs)
        {
            throw new ArgumentException($"Linear: bias has {bias.Length} elements, expected {outputs}", nameof(bias));
        }

        var y = new float[batch * outputs];
        Kernels.Backend.Gemm(x.Data, false, weight.Data, true, y, batch, outputs, inputs, accumulate: false);
        if (bias is not null)
        {
            for (var r = 0; r < batch; r++)
            {
                var row = y.AsSpan(r * outputs, outputs);
                Kernels.Backend.Add(row, bias.Data, row);
            }
        }

        Tensor[] inputsList = bias is null ? [x, weight] : [x, weight, bias];
        return Result(y, [batch, outputs], inputsList, g =>
        {
            if (x.RequiresGrad)
            {
                Kernels.Backend.Gemm(g, false, weight.Data, false, x.EnsureGrad(), batch, inputs, outputs, accumulate: true);
            }

            if (weight.RequiresGrad)
            {
                Kernels.Backend.Gemm(g, true, x.Data, false, weight.EnsureGrad(), outputs, inputs, batch, accumulate: true);
            }

            if (bias is not null && bias.RequiresGrad)
            {
                bias.Accumulate(ColumnSums(g, batch, outputs));
            }
        });
    }

    /// <summary>Element-wise sum of two tensors of the same shape.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        RequireSameShape(a, b, "Add");
        var y = new float[a.Length];
        Kernels.Backend.Add(a.Data, b.Data, y);
        return Result(y, a.Shape, [a, b], g =>
        {
            a.Accumulate(g);
            b.Accumulate(g);
        });
    }

    /// <summary>
    /// <c>max(a + b, 0)</c> element-wise (a residual sum and its ReLU), in one array: the values and gradients of
    /// <c>Relu(Add(a, b))</c> without the sum's own array and gradient.
    /// </summary>
    public static Tensor AddRelu(Tensor a, Tensor b)
    {
        RequireSameShape(a, b, "AddRelu");
        var y = GC.AllocateUninitializedArray<float>(a.Length); // written whole by the add
        Kernels.Backend.Add(a.Data, b.Data, y);
        Kernels.Backend.Max(y, 0f, y);
        return Result(y, a.Shape, [a, b], g =>
        {
            Kernels.Backend.KeepWherePositive(y, g); // g is this result's own gradient, dropped after this call
            a.Accumulate(g);
            b.AccumulateOwned(g);
        });
    }

    /// <summary>Element-wise difference <c>a − b</c> of two tensors of the same shape.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        RequireSameShape(a, b, "Sub");
        var y = new float[a.Length];
        Kernels.Backend.Subtract(a.Data, b.Data, y);
        return Result(y, a.Shape, [a, b], g =>
        {
            a.Accumulate(g);
            if (b.RequiresGrad)
            {
                var neg = new float[g.Length];
                Kernels.Backend.Negate(g, neg);
                b.Accumulate(neg);
            }
        });
    }

    /// <summary>Element-wise (Hadamard) product of two tensors of the same shape.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        RequireSameShape(a, b, "Mul");
        var y = new float[a.Length];
        Kernels.Backend.Multiply(a.Data, b.Data, y);
        return Result(y, a.Shape, [a, b], g =>
        {
            var tmp = new float[g.Length];
            if (a.RequiresGrad)
            {
                Kernels.Backend.Multiply(g, b.Data, tmp);
                a.Accumulate(tmp);
            }

            if (b.RequiresGrad)
            {
                Kernels.Backend.Multiply(g, a.Data, tmp);
                b.Accumulate(tmp);
            }
        });
    }

    /// <summary>Multiplies every element by a constant.</summary>
    public static Tensor Scale(Tensor a, float factor)
    {
        var y = new float[a.Length];
        Kernels.Backend.Multiply(a.Data, factor, y);
        return Result(y, a.Shape, [a], g =>
        {
            var tmp = new float[g.Length];
            Kernels.Backend.Multiply(g, factor, tmp);
            a.Accumulate(tmp);
        });
    }

    /// <summary>Adds a row vector <c>v[n]</c> to every row of <c>a[m×n]</c> (a broadcast bias).</summary>
    public static Tensor AddRowVector(Tensor a, Tensor v)
    {
        RequireMatrix(a, nameof(a));
        int m = a.Rows, n = a.Columns;
        if (v.Length != n)
        {
            throw new ArgumentException($"AddRowVector: the vector has {v.Length} elements, rows have {n}", nameof(v));
        }

        var y = new float[a.Length];
        for (var r = 0; r < m; r++)
        {
            Kernels.Backend.Add(a.Data.AsSpan(r * n, n), v.Data, y.AsSpan(r * n, n));
        }

        return Result(y, a.Shape, [a, v], g =>
        {
            a.Accumulate(g);
            if (v.RequiresGrad)
            {
                v.Accumulate(ColumnSums(g, m, n));
            }
        });
    }

    /// <summary>Joins matrices with the same number of rows side by side: <c>[m×p], [m×q] → [m×(p+q)]</c>.</summary>
    public static Tensor Concat(params Tensor[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0)
        {
            throw new ArgumentException("Concat needs at least one tensor", nameof(parts));
        }

        var m = parts[0].Rows;
        var n = 0;
        foreach (var p in parts)
        {
            RequireMatrix(p, nameof(parts));
            if (p.Rows != m)
            {
                throw new ArgumentException($"Concat: row counts differ ({m} and {p.Rows})", nameof(parts));
            }

            n += p.Columns;
        }

        var y = new float[m * n];
        var offset = 0;
        foreach (var p in parts)
        {
            var w = p.Columns;
            for (var r = 0; r < m; r++)
            {
                Array.Copy(p.Data, r * w, y, (r * n) + offset, w);
            }

            offset += w;
        }

        return Result(y, [m, n], parts, g =>
        {
            var at = 0;
            foreach (var p in parts)
            {
                var w = p.Columns;
                if (p.RequiresGrad)
                {
                    var part = new float[m * w];
                    for (var r = 0; r < m; r++)
                    {
                        Array.Copy(g, (r * n) + at, part, r * w, w);
                    }

                    p.Accumulate(part);
                }

                at += w;
            }
        });
    }

    /// <summary>The rows <paramref name="rows"/> of <c>a</c>, in that order (an embedding lookup when <c>a</c> is a weight table).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside <c>[0, a.Rows)</c>.</exception>
    public static Tensor IndexSelect(Tensor a, int[] rows)
    {
        RequireMatrix(a, nameof(a));
        ArgumentNullException.ThrowIfNull(rows);
        var n = a.Columns;
        var y = new float[rows.Length * n];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            if ((uint)r >= (uint)a.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row index {r} outside [0, {a.Rows})");
            }

            Array.Copy(a.Data, r * n, y, i * n, n);
        }

        return Result(y, [rows.Length, n], [a], g =>
        {
            if (a.RequiresGrad)
            {
                var grad = a.EnsureGrad();
                for (var i = 0; i < rows.Length; i++)
                {
                    var dst = grad.AsSpan(rows[i] * n, n);
                    Kernels.Backend.Add(dst, g.AsSpan(i * n, n), dst);
                }
            }
        });
    }

    /// <summary>A constant <c>[indices.Length × classes]</c> matrix with a 1 at <c>(i, indices[i])</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside <c>[0, classes)</c>.</exception>
    public static Tensor OneHot(ReadOnlySpan<int> indices, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        var y = new float[indices.Length * classes];
        for (var i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} outside [0, {classes})");
            }

            y[(i * classes) + indices[i]] = 1f;
        }

        return new Tensor(y, [indices.Length, classes]);
    }

    /// <summary>The sum of all elements, as a scalar.</summary>
    public static Tensor Sum(Tensor a)
    {
        var s = Kernels.Backend.Sum(a.Data);
        return Result([s], [], [a], g =>
        {
            if (a.RequiresGrad)
            {
                var tmp = new float[a.Length];
                Array.Fill(tmp, g[0]);
                a.Accumulate(tmp);
            }
        });
    }

    /// <summary>The mean of all elements, as a scalar (NaN for an empty tensor).</summary>
    public static Tensor Mean(Tensor a) => Scale(Sum(a), 1f / a.Length);

    /// <summary>Records <paramref name="backward"/> when gradients are on and some input needs one.</summary>
    internal static Tensor Result(float[] data, ImmutableArray<int> shape, Tensor[] inputs, Action<float[]> backward)
    {
        if (GradMode.IsEnabled && inputs.Any(t => t.RequiresGrad))
        {
            return new Tensor(data, shape, new GradNode(inputs, backward));
        }

        return new Tensor(data, shape);
    }

    internal static float[] ColumnSums(float[] g, int rows, int columns)
    {
        var sums = new float[columns];
        for (var r = 0; r < rows; r++)
        {
            Kernels.Backend.Add(sums, g.AsSpan(r * columns, columns), sums);
        }

        return sums;
    }

    internal static void RequireMatrix(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.Rank != 2)
        {
            throw new ArgumentException($"expected a matrix [rows, columns], got shape [{string.Join(", ", t.Shape)}]", name);
        }
    }

    private static void RequireSameShape(Tensor a, Tensor b, string op)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Shape.SequenceEqual(b.Shape))
        {
            throw new ArgumentException($"{op}: shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}] differ");
        }
    }
}
