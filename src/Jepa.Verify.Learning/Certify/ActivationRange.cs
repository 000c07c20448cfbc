namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// Sound ranges of an activation f and of its slope f′ over an interval of inputs: what <see cref="SegmentBound"/>
/// propagates through a head along a pair's segment.
/// </summary>
/// <remarks>
/// <para>
/// Monotone activations (ReLU, LeakyReLU, ELU with α ≥ 0, tanh, sigmoid, softplus) take their value range at the
/// endpoints; their slopes are monotone or unimodal with a known peak (tanh′ and sigmoid′ at 0), or piecewise constant.
/// </para>
/// <para>
/// Mish, SiLU and GELU have one minimum of f and one minimum and one maximum of f′, each inside a window below
/// (<see cref="Shape"/>), and are monotone between them; an interval that meets a window gets the extremum's bound
/// (the global bounds of <see cref="HeadChain.DerivativeRange"/>, rounded outward), narrowed by a Taylor bound from the
/// interval's midpoint (f′ moves by at most sup|f″| per unit, f by at most the interval's steepest slope), otherwise its
/// endpoints' values.
/// A test samples random intervals densely and checks that every sampled value lies in the range given.
/// </para>
/// Endpoint values are widened by 1e-12·(1 + |v|) for their rounding.
/// </remarks>
internal static class ActivationRange
{
    /// <summary>
    /// Where a non-monotone activation turns: f's minimum lies in <c>ValueWindow</c> and is at least <c>ValueMin</c>; f′'s
    /// minimum lies in <c>SlopeMinWindow</c> (at least <c>SlopeMin</c>), its maximum in <c>SlopeMaxWindow</c> (at most <c>SlopeMax</c>).
    /// </summary>
    private readonly record struct Shape((double Lo, double Hi) ValueWindow, double ValueMin, (double Lo, double Hi) SlopeMinWindow, double SlopeMin, (double Lo, double Hi) SlopeMaxWindow, double SlopeMax, double Curvature);

    // mish: min −0.30884 at −1.1924; mish′: −0.1125 at −2.2564, 1.0885 at 1.4905; |mish″| ≤ 0.6443 (the test checks the windows and the curvature).
    private static readonly Shape Mish = new((-1.3, -1.1), -0.3089, (-2.4, -2.1), HeadChain.MishDerivativeMin, (1.3, 1.7), HeadChain.MishConstant, 0.65);

    // SiLU: min −0.27846 at −1.2785; silu′: −0.0998 at −2.3994, 1.0998 at 2.3994; |silu″| ≤ 0.5 (at 0).
    private static readonly Shape Silu = new((-1.4, -1.15), -0.2785, (-2.6, -2.2), -0.1, (2.2, 2.6), 1.1, 0.51);

    // GELU (erf and tanh forms): min −0.1700 near −0.752; gelu′: −0.1289 near −1.414, 1.1290 near 1.414; |gelu″| ≤ 0.7979 (at 0).
    private static readonly Shape Gelu = new((-0.85, -0.65), -0.171, (-1.7, -1.1), -0.13, (1.1, 1.7), 1.13, 0.80);

    /// <summary>The range of f over [<paramref name="lo"/>, <paramref name="hi"/>].</summary>
    public static (double Lo, double Hi) Value(HeadActivation kind, double alpha, double lo, double hi)
    {
        var (a, b) = (HeadChain.Activate(kind, lo, alpha), HeadChain.Activate(kind, hi, alpha));
        var (min, max) = (Math.Min(a, b), Math.Max(a, b));
        switch (kind)
        {
            case HeadActivation.LeakyRelu or HeadActivation.Elu when alpha < 0:
                // Not monotone: the kink at 0 may be an extremum (f(0) = 0).
                if (lo < 0 && hi > 0)
                {
                    (min, max) = (Math.Min(min, 0), Math.Max(max, 0));
                }

                break;
            case HeadActivation.Mish or HeadActivation.Silu or HeadActivation.GeluErf or HeadActivation.GeluTanh:
                var shape = ShapeOf(kind);
                if (Meets(lo, hi, shape.ValueWindow))
                {
                    // The minimum may lie inside: f(x) ≥ f(m) − max|f′|·r over [m − r, m + r], and never below the global minimum.
                    var (m, r) = ((lo + hi) / 2, (hi - lo) / 2);
                    var (sl, sh) = Slope(kind, alpha, lo, hi);
                    var fm = HeadChain.Activate(kind, m, alpha);
                    min = Math.Min(min, Math.Max(shape.ValueMin, fm - (1e-12 * (1 + Math.Abs(fm))) - (Math.Max(Math.Abs(sl), Math.Abs(sh)) * r * (1 + 1e-12))));
                }

                break;
        }

        return (min - (1e-12 * (1 + Math.Abs(min))), max + (1e-12 * (1 + Math.Abs(max))));
    }

    /// <summary>The range of f′ over [<paramref name="lo"/>, <paramref name="hi"/>].</summary>
    public static (double Lo, double Hi) Slope(HeadActivation kind, double alpha, double lo, double hi)
    {
        switch (kind)
        {
            case HeadActivation.Relu:
                return lo > 0 ? (1, 1) : hi < 0 ? (0, 0) : (0, 1);
            case HeadActivation.LeakyRelu:
                return lo > 0 ? (1, 1) : hi < 0 ? (alpha, alpha) : (Math.Min(alpha, 1), Math.Max(alpha, 1));
            case HeadActivation.Elu when alpha >= 0:
                return lo >= 0 ? (1, 1) : hi <= 0 ? Widen(alpha * Math.Exp(lo), alpha * Math.Exp(hi)) : Widen(Math.Min(alpha * Math.Exp(lo), 1), Math.Max(alpha, 1));
            case HeadActivation.Softplus:
                return Widen(Sigmoid(lo), Sigmoid(hi));
            case HeadActivation.Tanh or HeadActivation.Sigmoid:
            {
                // Even and unimodal: the peak at 0, the least at the endpoint farther from 0.
                var peak = Derivative(kind, alpha, Math.Clamp(0, lo, hi));
                var least = Math.Min(Derivative(kind, alpha, lo), Derivative(kind, alpha, hi));
                return Widen(least, peak);
            }

            case HeadActivation.Mish or HeadActivation.Silu or HeadActivation.GeluErf or HeadActivation.GeluTanh:
            {
                var shape = ShapeOf(kind);
                var (a, b) = (Derivative(kind, alpha, lo), Derivative(kind, alpha, hi));
                var (min, max) = Widen(Math.Min(a, b), Math.Max(a, b));
                // An extremum of f′ may lie inside: f′(x) ∈ f′(m) ± sup|f″|·r over [m − r, m + r], within the global extremes.
                var (m, r) = ((lo + hi) / 2, (hi - lo) / 2);
                var (dLo, dHi) = Widen(Derivative(kind, alpha, m) - (shape.Curvature * r), Derivative(kind, alpha, m) + (shape.Curvature * r));
                return (Meets(lo, hi, shape.SlopeMinWindow) ? Math.Min(min, Math.Max(shape.SlopeMin, dLo)) : min, Meets(lo, hi, shape.SlopeMaxWindow) ? Math.Max(max, Math.Min(shape.SlopeMax, dHi)) : max);
            }

            default:
                return HeadChain.DerivativeRange(kind, alpha);
        }
    }

    /// <summary>f′(x) in double precision.</summary>
    public static double Derivative(HeadActivation kind, double alpha, double x)
    {
        switch (kind)
        {
            case HeadActivation.Relu:
                return x > 0 ? 1 : 0;
            case HeadActivation.LeakyRelu:
                return x >= 0 ? 1 : alpha;
            case HeadActivation.Elu:
                return x >= 0 ? 1 : alpha * Math.Exp(x);
            case HeadActivation.Tanh:
                var t = Math.Tanh(x);
                return 1 - (t * t);
            case HeadActivation.Sigmoid:
                var s = Sigmoid(x);
                return s * (1 - s);
            case HeadActivation.Softplus:
                return Sigmoid(x);
            case HeadActivation.Mish:
                var th = Math.Tanh(Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))));
                return th + (x * Sigmoid(x) * (1 - (th * th)));
            case HeadActivation.Silu:
                var sg = Sigmoid(x);
                return sg * (1 + (x * (1 - sg)));
            case HeadActivation.GeluErf:
                return (0.5 * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2)))) + (x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI));
            case HeadActivation.GeluTanh:
                var k = Math.Sqrt(2 / Math.PI);
                var u = Math.Tanh(k * (x + (0.044715 * x * x * x)));
                return (0.5 * (1 + u)) + (0.5 * x * (1 - (u * u)) * k * (1 + (3 * 0.044715 * x * x)));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation");
        }
    }

    private static Shape ShapeOf(HeadActivation kind) => kind switch
    {
        HeadActivation.Mish => Mish,
        HeadActivation.Silu => Silu,
        _ => Gelu,
    };

    private static bool Meets(double lo, double hi, (double Lo, double Hi) window) => lo <= window.Hi && hi >= window.Lo;

    private static (double Lo, double Hi) Widen(double lo, double hi) => (lo - (1e-12 * (1 + Math.Abs(lo))), hi + (1e-12 * (1 + Math.Abs(hi))));

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
