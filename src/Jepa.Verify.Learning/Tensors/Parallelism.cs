namespace Jepa.Verify.Learning.Tensors;

/// <summary>The engine's thread settings (like <c>torch.set_num_threads</c>).</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// How many threads a large matrix product may use (default: the processor count). Results are
    /// bit-identical whatever the value: each output element is summed by one thread in a fixed order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 1.</exception>
    public static int MaxThreads
    {
        get => maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxThreads = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for 0 … <paramref name="count"/> − 1 on up to <paramref name="threads"/> threads, in
    /// order on the calling thread when one thread (or item) is all there is. Callers give each index its own outputs, so
    /// results never depend on the thread count.
    /// </summary>
    internal static void For(int threads, int count, Action<int> body)
    {
        if (threads <= 1 || count <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>
    /// Splits 0 … <paramref name="count"/> − 1 into <paramref name="parts"/> contiguous ranges (their sizes differ by at
    /// most one) and runs <paramref name="body"/>(part, from, to) for each on up to <see cref="MaxThreads"/> threads. The
    /// ranges depend on the two numbers only, so a caller that fixes <paramref name="parts"/> by the shapes gets the same
    /// sums for any thread count.
    /// </summary>
    internal static void ForRanges(int count, int parts, Action<int, int, int> body) =>
        For(MaxThreads, parts, p => body(p, (int)((long)count * p / parts), (int)((long)count * (p + 1) / parts)));
}
