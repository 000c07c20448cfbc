namespace Jepa.Verify.Learning.Tensors;

/// <summary>
/// The shapes of one 2-D convolution (<see cref="IKernels.Conv2d"/>): input <c>[N, C, H, W]</c>, weight
/// <c>[O, C, KH, KW]</c>, output <c>[N, O, Ho, Wo]</c>, one stride for both axes and zero padding on every side.
/// </summary>
/// <param name="N">Images.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="O">Output channels.</param>
/// <param name="KH">Kernel height.</param>
/// <param name="KW">Kernel width.</param>
/// <param name="Stride">The stride of both axes (≥ 1).</param>
/// <param name="Padding">Zeros added on every side (≥ 0).</param>
public readonly record struct Conv2dShape(int N, int C, int H, int W, int O, int KH, int KW, int Stride, int Padding)
{
    /// <summary>Output height: <c>(H + 2·padding − KH)/stride + 1</c>.</summary>
    public int Ho => ((H + (2 * Padding) - KH) / Stride) + 1;

    /// <summary>Output width: <c>(W + 2·padding − KW)/stride + 1</c>.</summary>
    public int Wo => ((W + (2 * Padding) - KW) / Stride) + 1;

    /// <summary>Rows of the receptive-field matrix: <c>C·KH·KW</c>.</summary>
    public int Rows => C * KH * KW;
}
