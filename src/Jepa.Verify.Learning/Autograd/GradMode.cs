namespace Jepa.Verify.Learning.Autograd;

/// <summary>
/// Whether operations record a graph for <see cref="Tensors.Tensor.Backward"/>. Like
/// <c>torch.no_grad()</c>: <c>using (GradMode.NoGrad()) { … }</c> turns recording off on this
/// thread until the scope is disposed (scopes nest).
/// </summary>
public static class GradMode
{
    [ThreadStatic]
    private static int disabledDepth;

    /// <summary>Whether operations on this thread record gradients now.</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Turns gradient recording off until the returned scope is disposed.</summary>
    public static IDisposable NoGrad()
    {
        disabledDepth++;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                disposed = true;
                disabledDepth--;
            }
        }
    }
}
