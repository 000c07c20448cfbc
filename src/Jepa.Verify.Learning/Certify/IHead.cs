namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// A head as the certificate needs it (the latent transition <c>T̂</c> or the aux head <c>P̂</c>): evaluated in double
/// precision, with a sound upper bound on its Lipschitz constant. A chain of layers (<see cref="HeadChain"/>) or a graph
/// of chains with sums and concatenations (<see cref="HeadGraph"/>).
/// </summary>
public interface IHead
{
    /// <summary>Input width: d for an aux head, d + actions for a transition model (the latent, then the one-hot action).</summary>
    int Inputs { get; }

    /// <summary>Output width.</summary>
    int Outputs { get; }

    /// <summary>The head applied to <paramref name="input"/>, in double precision.</summary>
    double[] Evaluate(ReadOnlySpan<double> input);

    /// <summary>A sound upper bound on the Lipschitz constant (2-norm) as a function of the first <paramref name="inputColumns"/> inputs, the others held fixed.</summary>
    double Lipschitz(int inputColumns);

    /// <summary>
    /// A sound upper bound on the Lipschitz constant on the segment between the inputs <paramref name="from"/> and
    /// <paramref name="to"/> (only the first <paramref name="inputColumns"/> varying; they must agree on the rest), or on the
    /// directional derivative along it: what the mean-value inequality needs for that one pair. Never above
    /// <see cref="Lipschitz"/>: <see cref="PrepareLocal"/> on the two inputs.
    /// </summary>
    double LocalLipschitz(ReadOnlySpan<double> from, ReadOnlySpan<double> to, int inputColumns) =>
        PrepareLocal([from.ToArray(), to.ToArray()], inputColumns, pairs: 1).Between(0, 1);

    /// <summary>
    /// <see cref="LocalLipschitz"/> for many pairs of <paramref name="inputs"/>: whatever each input alone determines is
    /// computed once here, so that a pair costs little more than the layer normalisation's width. By default every pair
    /// gets the global constant.
    /// </summary>
    /// <param name="inputs">The inputs.</param>
    /// <param name="inputColumns">How many leading columns vary.</param>
    /// <param name="pairs">How many pairs will be asked for (0: unknown): a chain spends a per-pair forward pass on the
    /// directional bound (<see cref="SegmentBound"/>) only when they fit its budget.</param>
    ILocalBounds PrepareLocal(IReadOnlyList<double[]> inputs, int inputColumns, long pairs = 0) => new GlobalBounds(Lipschitz(inputColumns));

    /// <summary>A transition model's prediction T̂(z, a): the head applied to <c>concat(z, onehot(a))</c>.</summary>
    /// <param name="latent">z.</param>
    /// <param name="action">a, in <c>0…actions−1</c>.</param>
    /// <param name="actions">How many actions the one-hot has.</param>
    double[] EvaluateTransition(ReadOnlySpan<double> latent, int action, int actions)
    {
        var input = new double[latent.Length + actions];
        latent.CopyTo(input);
        input[latent.Length + action] = 1;
        return Evaluate(input);
    }
}

/// <summary>Lipschitz bounds on the segments between prepared inputs (<see cref="IHead.PrepareLocal"/>); thread-safe.</summary>
public interface ILocalBounds
{
    /// <summary>A sound bound for the mean-value inequality on the segment between inputs <paramref name="i"/> and <paramref name="j"/>: on the head's Lipschitz constant there, or on its directional derivative along it.</summary>
    double Between(int i, int j);
}

/// <summary>The global constant for every pair.</summary>
internal sealed class GlobalBounds(double constant) : ILocalBounds
{
    /// <inheritdoc/>
    public double Between(int i, int j) => constant;
}
