namespace Jepa.Verify.Learning.Tensors;

/// <summary>How a micro-kernel's sums reach C (<see cref="Gemm.OffsetKernel"/>).</summary>
internal enum Epilogue
{
    /// <summary><c>C = sum + bias</c>.</summary>
    Write,

    /// <summary><c>C = max(sum + bias, 0)</c>, NaN kept (as <see cref="IKernels.Max(ReadOnlySpan{float}, float, Span{float})"/> with 0).</summary>
    WriteRelu,

    /// <summary><c>C += sum</c>.</summary>
    Add,
}
