using System.Buffers;

namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The pool of the kernels' temporary buffers (packed GEMM panels, receptive-field matrices). <c>ArrayPool.Shared</c>
/// keeps at most a few arrays per size per core and allocates anew beyond that, so a convolution step that rents tens of
/// megabytes several times allocated them afresh each time (page faults and zeroing were a fifth of a training step);
/// this pool keeps up to 32 arrays per size class of up to 2^28 floats. Rented arrays are not cleared.
/// </summary>
internal static class Scratch
{
    /// <summary>The shared pool.</summary>
    public static readonly ArrayPool<float> Floats = ArrayPool<float>.Create(1 << 28, 32);
}
