namespace Jepa.Verify.Learning.Tensors;

/// <summary>The backend every numeric kernel of the engine runs on (<see cref="IKernels"/>); the CPU one by default.</summary>
public static class Kernels
{
    /// <summary>The backend. Set it once, before any training or inference starts; it is shared by the whole process.</summary>
    public static IKernels Backend { get; set; } = CpuKernels.Instance;
}
