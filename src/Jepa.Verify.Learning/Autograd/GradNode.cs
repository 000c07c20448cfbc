using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Autograd;

/// <summary>
/// One recorded operation: its inputs and the function that, given the gradient of its output,
/// adds the gradients of the inputs (only to inputs that require one).
/// </summary>
internal sealed class GradNode(Tensor[] inputs, Action<float[]> backward)
{
    public Tensor[] Inputs { get; } = inputs;

    public void Backward(float[] outputGrad) => backward(outputGrad);
}
