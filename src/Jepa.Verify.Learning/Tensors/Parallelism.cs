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
}
