using System.Collections.Concurrent;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Optimizers;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Learning.Tests;

/// <summary>
/// Tests for <see cref="Kernels.Backend"/>: a training step of a convolutional encoder and an MLP head (forward, backward,
/// clipping, Adam) reaches its arithmetic only through the backend, so a replacement backend sees every kernel.
/// </summary>
public sealed class KernelSeamTests
{
    [Fact]
    public void ATrainingStepRunsItsArithmeticThroughTheBackend()
    {
        var counting = new CountingKernels(CpuKernels.Instance);
        var before = RunStep();
        var previous = Kernels.Backend;
        Kernels.Backend = counting;
        float[] through;
        try
        {
            through = RunStep();
        }
        finally
        {
            Kernels.Backend = previous;
        }

        Assert.Equal(before, through); // a backend that computes the same gives bit-identical parameters
        foreach (var kernel in new[] { "Gemm", "Conv2d", "Conv2dBackward", "AddWherePositive", "KeepWherePositive", "Add", "AddScalar", "Multiply", "MultiplyScalar", "Max", "Tanh", "Sum", "AdamStep" })
        {
            Assert.True(counting.Calls.GetValueOrDefault(kernel) > 0, $"{kernel} was never called through the backend");
        }
    }

    /// <summary>One step of Adam on a small encoder + head, from fixed seeds; returns every parameter after it.</summary>
    private static float[] RunStep()
    {
        var random = new SeededRandom(3);
        var encoder = new ConvEncoder(1, 8, 8, [2, 3], 4, ActivationKind.Relu, random);
        var head = Sequential.Mlp([4, 5, 1], ActivationKind.Tanh, random, layerNorm: true);
        var parameters = encoder.Parameters().Concat(head.Parameters()).ToList();
        var optimizer = new Adam(parameters, 1e-2f, weightDecay: 1e-3f);
        var images = Tensor.FromArray([.. Enumerable.Range(0, 2 * 64).Select(i => (i % 7) / 7f - 0.5f)], 2, 64);
        var loss = Ops.MseLoss(head.Forward(Ops.Relu(encoder.Forward(images))), Tensor.FromArray([0.5f, -0.5f], 2, 1));
        loss.Backward();
        GradClip.ClipGradNorm(parameters, 0.1f);
        optimizer.Step();
        return [.. parameters.SelectMany(p => p.ToArray())];
    }

    /// <summary>Delegates to another backend and counts the calls of each kernel.</summary>
    private sealed class CountingKernels(IKernels inner) : IKernels
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public void Gemm(float[] a, bool transA, float[] b, bool transB, float[] c, int m, int n, int k, bool accumulate)
        {
            Count("Gemm");
            inner.Gemm(a, transA, b, transB, c, m, n, k, accumulate);
        }

        public void Conv2d(float[] x, float[] weight, float[]? bias, float[] y, Conv2dShape shape, bool relu)
        {
            Count("Conv2d");
            inner.Conv2d(x, weight, bias, y, shape, relu);
        }

        public void Conv2dBackward(float[] x, float[] weight, float[] gradY, float[]? dx, float[]? dw, float[]? db, Conv2dShape shape)
        {
            Count("Conv2dBackward");
            inner.Conv2dBackward(x, weight, gradY, dx, dw, db, shape);
        }

        public void AddWherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
        {
            Count("AddWherePositive");
            inner.AddWherePositive(x, y, dst);
        }

        public void KeepWherePositive(ReadOnlySpan<float> x, Span<float> dst)
        {
            Count("KeepWherePositive");
            inner.KeepWherePositive(x, dst);
        }

        public void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
        {
            Count("Add");
            inner.Add(x, y, dst);
        }

        public void Add(ReadOnlySpan<float> x, float y, Span<float> dst)
        {
            Count("AddScalar");
            inner.Add(x, y, dst);
        }

        public void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
        {
            Count("Subtract");
            inner.Subtract(x, y, dst);
        }

        public void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
        {
            Count("Multiply");
            inner.Multiply(x, y, dst);
        }

        public void Multiply(ReadOnlySpan<float> x, float y, Span<float> dst)
        {
            Count("MultiplyScalar");
            inner.Multiply(x, y, dst);
        }

        public void Negate(ReadOnlySpan<float> x, Span<float> dst)
        {
            Count("Negate");
            inner.Negate(x, dst);
        }

        public void Max(ReadOnlySpan<float> x, float y, Span<float> dst)
        {
            Count("Max");
            inner.Max(x, y, dst);
        }

        public void Tanh(ReadOnlySpan<float> x, Span<float> dst)
        {
            Count("Tanh");
            inner.Tanh(x, dst);
        }

        public float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            Count("Dot");
            return inner.Dot(x, y);
        }

        public float Sum(ReadOnlySpan<float> x)
        {
            Count("Sum");
            return inner.Sum(x);
        }

        public float Max(ReadOnlySpan<float> x)
        {
            Count("MaxValue");
            return inner.Max(x);
        }

        public void AdamStep(Span<float> parameter, ReadOnlySpan<float> gradient, float[] m, float[] v, float step, float sqrtCorrection2, float beta1, float beta2, float eps, float decay)
        {
            Count("AdamStep");
            inner.AdamStep(parameter, gradient, m, v, step, sqrtCorrection2, beta1, beta2, eps, decay);
        }

        private void Count(string kernel) => Calls.AddOrUpdate(kernel, 1, (_, n) => n + 1);
    }
}
