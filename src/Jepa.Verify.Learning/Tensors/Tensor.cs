using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Learning.Autograd;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// A dense float tensor (row-major) that can take part in reverse-mode automatic differentiation,
/// shaped like TorchSharp's: <see cref="RequiresGrad"/>, <see cref="Grad"/>, <see cref="Backward"/>,
/// <see cref="Detach"/>. Operations live in <see cref="Ops"/>; they record a graph only while
/// <see cref="GradMode.IsEnabled"/> and some input requires a gradient.
/// </summary>
/// <remarks>
/// The data array is owned by the tensor and may be written in place by optimizers (parameters)
/// and data loaders; operations never modify their inputs. <see cref="Ops.Reshape"/> is a view: its
/// result shares its input's array.
/// </remarks>
public sealed class Tensor
{
    private float[]? grad;

    internal Tensor(float[] data, ImmutableArray<int> shape, GradNode? node = null)
    {
        Data = data;
        Shape = shape;
        Node = node;
        RequiresGrad = node is not null;
    }

    /// <summary>The elements, row-major.</summary>
    public float[] Data { get; }

    /// <summary>The shape, e.g. <c>[256, 32]</c> for a batch of 256 latents of dimension 32; <c>[]</c> for a scalar.</summary>
    public ImmutableArray<int> Shape { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Rows of a matrix: the first dimension (1 for a scalar or vector).</summary>
    public int Rows => Rank == 2 ? Shape[0] : 1;

    /// <summary>Columns of a matrix: the last dimension (1 for a scalar).</summary>
    public int Columns => Rank == 0 ? 1 : Shape[^1];

    /// <summary>Whether gradients flow to this tensor. Set it on leaves (parameters); results of operations get it from their inputs.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Whether this tensor was made by a recorded operation (not a leaf).</summary>
    public bool IsLeaf => Node is null;

    /// <summary>The accumulated gradient (same shape), or null before any backward pass reached it.</summary>
    public Tensor? Grad => grad is null ? null : new Tensor(grad, Shape);

    internal GradNode? Node { get; private set; }

    internal float[]? GradData => grad;

    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">The dimensions, each at least 0.</param>
    public static Tensor Zeros(params int[] shape) => new(new float[CheckedLength(shape)], [.. shape]);

    /// <summary>A tensor over a copy of <paramref name="values"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">When the shape does not hold exactly <c>values.Length</c> elements.</exception>
    public static Tensor FromArray(float[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (CheckedLength(shape) != values.Length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {CheckedLength(shape)} elements, not {values.Length}", nameof(shape));
        }

        return new Tensor((float[])values.Clone(), [.. shape]);
    }

    /// <summary>A scalar tensor.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>The single value of a one-element tensor (e.g. a loss).</summary>
    /// <exception cref="InvalidOperationException">When the tensor has more than one element.</exception>
    public float Item() => Length == 1 ? Data[0] : throw new InvalidOperationException($"Item() needs one element, this tensor has {Length}");

    /// <summary>Element (row, column) of a matrix.</summary>
    public float At(int row, int column) => Data[(row * Columns) + column];

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>A tensor sharing this one's data but cut from the graph: no gradient flows through it (a stop-gradient).</summary>
    public Tensor Detach() => new(Data, Shape);

    /// <summary>Drops the accumulated gradient (optimizers call this through <c>ZeroGrad</c>).</summary>
    public void ZeroGrad()
    {
        if (grad is not null)
        {
            Array.Clear(grad);
        }
    }

    /// <summary>
    /// Back-propagates from this scalar: adds d(this)/d(leaf) to the <see cref="Grad"/> of every leaf
    /// that requires a gradient, then frees the graph (a second call on the same graph throws).
    /// </summary>
    /// <exception cref="InvalidOperationException">When the tensor is not a scalar, or no recorded graph leads to it.</exception>
    public void Backward()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Backward() needs a scalar (e.g. a loss), this tensor has shape [{string.Join(", ", Shape)}]");
        }

        if (Node is null)
        {
            throw new InvalidOperationException("Backward() needs a tensor computed from inputs that require gradients, with gradients enabled (not under GradMode.NoGrad)");
        }

        var order = TopologicalOrder();
        EnsureGrad()[0] = 1f;
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            t.Node!.Backward(t.EnsureGrad());
            t.Node = null;
            t.grad = null;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Tensor[{string.Join(", ", Shape)}]({string.Join(", ", Data.Take(8).Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}{(Length > 8 ? ", …" : "")})";

    /// <summary>The gradient buffer, allocated on first use.</summary>
    internal float[] EnsureGrad() => grad ??= new float[Data.Length];

    /// <summary>Adds <paramref name="g"/> into this tensor's gradient when it requires one.</summary>
    /// <remarks>The first contribution is copied into a new gradient rather than added to zeros: the same values, without clearing and reading an array of zeros first.</remarks>
    /// <exception cref="ArgumentException">When <paramref name="g"/> is not as long as the tensor.</exception>
    internal void Accumulate(ReadOnlySpan<float> g)
    {
        if (!RequiresGrad)
        {
            return;
        }

        if (g.Length != Data.Length)
        {
            throw new ArgumentException($"a gradient of {g.Length} elements for a tensor of {Data.Length}", nameof(g));
        }

        if (grad is null)
        {
            grad = GC.AllocateUninitializedArray<float>(Data.Length);
            g.CopyTo(grad);
            return;
        }

        Kernels.Backend.Add(grad, g, grad);
    }

    /// <summary>
    /// <see cref="Accumulate"/> for a gradient array the caller gives away: when this tensor has no gradient yet, the
    /// array becomes it (no copy). Only for an operation's own incoming gradient at its last use: nothing may read or
    /// write <paramref name="g"/> afterwards.
    /// </summary>
    internal void AccumulateOwned(float[] g)
    {
        if (RequiresGrad && grad is null && g.Length == Data.Length)
        {
            grad = g;
            return;
        }

        Accumulate(g);
    }

    /// <summary>The non-leaf tensors reachable from this one, each after all its inputs.</summary>
    private List<Tensor> TopologicalOrder()
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int Next)>();
        stack.Push((this, 0));
        visited.Add(this);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var input = inputs[next];
                if (input.Node is not null && visited.Add(input))
                {
                    stack.Push((input, 0));
                }
            }
            else
            {
                order.Add(t);
            }
        }

        return order;
    }

    private static int CheckedLength(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            n *= d;
            if (n > Array.MaxLength)
            {
                throw new ArgumentException($"shape [{string.Join(", ", shape)}] is too large for one array", nameof(shape));
            }
        }

        return (int)n;
    }
}
