using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// What P-JEPA trains on: a feature vector per observation (or a one-hot of its index), the
/// transitions <c>(o, a, o')</c>, and an aux target vector per observation. Immutable.
/// </summary>
public sealed class TrainingData
{
    private readonly float[]? features;
    private readonly int[] from;
    private readonly int[] action;
    private readonly int[] to;
    private readonly float[] aux;

    private TrainingData(int observations, int featureDim, float[]? features, int actions, int[] from, int[] action, int[] to, float[] aux)
    {
        Observations = observations;
        FeatureDim = featureDim;
        this.features = features;
        Actions = actions;
        this.from = from;
        this.action = action;
        this.to = to;
        this.aux = aux;
        AuxDim = AuxDimOf(aux, observations);
    }

    /// <summary>Number of observations.</summary>
    public int Observations { get; }

    /// <summary>Encoder input dimension (the observation count when features are one-hot).</summary>
    public int FeatureDim { get; }

    /// <summary>Whether observations are fed as one-hot vectors of their index (the MDP had no features).</summary>
    public bool OneHot => features is null;

    /// <summary>Number of actions.</summary>
    public int Actions { get; }

    /// <summary>Source observation of each transition.</summary>
    public IReadOnlyList<int> From => from;

    /// <summary>Action of each transition.</summary>
    public IReadOnlyList<int> Action => action;

    /// <summary>Target observation of each transition.</summary>
    public IReadOnlyList<int> To => to;

    /// <summary>Number of transitions.</summary>
    public int TransitionCount => from.Length;

    /// <summary>Aux targets, row-major <c>[observations × AuxDim]</c>.</summary>
    public IReadOnlyList<float> Aux => aux;

    /// <summary>Dimension of the aux vector.</summary>
    public int AuxDim { get; }

    /// <summary>
    /// The training data of an MDP: its feature vectors (all observations must have them, of one
    /// length) or one-hot ids when none has, its observed transitions and its aux values.
    /// </summary>
    /// <exception cref="MdpFormatException">When features are given for some observations only or with different lengths, or an aux value is missing, not finite or of another length.</exception>
    public static TrainingData FromMdp(MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var n = mdp.ObservationCount;
        var withFeatures = mdp.Features.Count(f => !f.IsDefaultOrEmpty);
        float[]? features = null;
        var featureDim = n;
        if (withFeatures > 0)
        {
            featureDim = mdp.Features.First(f => !f.IsDefaultOrEmpty).Length;
            features = new float[n * featureDim];
            for (var i = 0; i < n; i++)
            {
                var f = mdp.Features[i];
                if (f.IsDefaultOrEmpty || f.Length != featureDim)
                {
                    var what = f.IsDefaultOrEmpty ? "has no features" : $"has {f.Length} features";
                    throw new MdpFormatException(mdp.LocationOfObservation(i), $"observation '{mdp.Observations[i]}' {what} while others have {featureDim}",
                        "give every observation a feature vector of the same length, or none (then one-hot ids are used)");
                }

                for (var j = 0; j < featureDim; j++)
                {
                    features[(i * featureDim) + j] = f[j];
                }
            }
        }

        var auxDim = n == 0 ? 1 : mdp.Aux[0].Length;
        var values = new float[n * auxDim];
        for (var i = 0; i < n; i++)
        {
            var v = mdp.Aux[i];
            if (v.IsMissing || !v.IsFinite || v.Length != auxDim)
            {
                throw new MdpFormatException(mdp.LocationOfAux(i), $"observation '{mdp.Observations[i]}' has no usable aux value ({v})",
                    $"give every observation a finite aux value of length {auxDim}");
            }

            for (var j = 0; j < auxDim; j++)
            {
                if (Math.Abs(v.Components[j]) > MaxAux)
                {
                    throw new MdpFormatException(mdp.LocationOfAux(i), $"observation '{mdp.Observations[i]}' has the aux value {v}, beyond ±1e18: training in float32 squares it to infinity",
                        "rescale the aux values (divide them all by one constant) before training");
                }

                values[(i * auxDim) + j] = (float)v.Components[j];
            }
        }

        return Create(n, featureDim, features, mdp.ActionCount, mdp.Transitions, values);
    }

    /// <summary>
    /// The largest aux magnitude training accepts (1e18): the squared error of a float32 value beyond it (about 1.8e19 and
    /// up) is infinite, so such a run could only diverge.
    /// </summary>
    public const double MaxAux = 1e18;

    /// <summary>
    /// Data from arrays (e.g. a benchmark's synthetic inputs).
    /// </summary>
    /// <param name="observations">Observation count.</param>
    /// <param name="features">Row-major <c>[observations × featureDim]</c>, or null for one-hot ids.</param>
    /// <param name="actions">Action count.</param>
    /// <param name="transitions">The transitions.</param>
    /// <param name="aux">Row-major <c>[observations × auxDim]</c>.</param>
    /// <exception cref="ArgumentException">When the sizes do not fit or an index is out of range.</exception>
    public static TrainingData FromArrays(int observations, float[]? features, int actions, IReadOnlyList<Transition> transitions, float[] aux)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(aux);
        ArgumentOutOfRangeException.ThrowIfLessThan(observations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actions, 1);
        if (features is not null && features.Length % observations != 0)
        {
            throw new ArgumentException($"{features.Length} feature values do not divide into {observations} observations", nameof(features));
        }

        AuxDimOf(aux, observations);
        foreach (var tr in transitions)
        {
            if ((uint)tr.From >= (uint)observations || (uint)tr.To >= (uint)observations || (uint)tr.Action >= (uint)actions)
            {
                throw new ArgumentException($"transition {tr} is out of range", nameof(transitions));
            }
        }

        var featureDim = features is null ? observations : features.Length / observations;
        return Create(observations, featureDim, (float[]?)features?.Clone(), actions, transitions, (float[])aux.Clone());
    }

    /// <summary>A copy whose aux targets are replaced (row-major <c>[observations × auxDim]</c>).</summary>
    public TrainingData WithAux(float[] aux)
    {
        ArgumentNullException.ThrowIfNull(aux);
        return new TrainingData(Observations, FeatureDim, features, Actions, from, action, to, (float[])aux.Clone());
    }

    /// <summary>
    /// A frozen random linear map of the features to <paramref name="dim"/> outputs, each output
    /// standardised to mean 0 and variance 1 over the observations: the paper's random auxiliary.
    /// Entries of the map are standard normal; the same seed gives the same map.
    /// </summary>
    public float[] RandomAux(int dim, SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentNullException.ThrowIfNull(random);
        var map = new double[FeatureDim * dim];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = random.NextGaussian();
        }

        var values = new double[Observations * dim];
        var row = new float[FeatureDim];
        for (var o = 0; o < Observations; o++)
        {
            FeatureRow(o, row);
            for (var j = 0; j < dim; j++)
            {
                double s = 0;
                for (var f = 0; f < FeatureDim; f++)
                {
                    s += row[f] * map[(f * dim) + j];
                }

                values[(o * dim) + j] = s;
            }
        }

        var result = new float[values.Length];
        for (var j = 0; j < dim; j++)
        {
            double mean = 0, sq = 0;
            for (var o = 0; o < Observations; o++)
            {
                mean += values[(o * dim) + j];
            }

            mean /= Observations;
            for (var o = 0; o < Observations; o++)
            {
                sq += Math.Pow(values[(o * dim) + j] - mean, 2);
            }

            var sd = Math.Sqrt(sq / Observations);
            for (var o = 0; o < Observations; o++)
            {
                result[(o * dim) + j] = (float)(sd > 0 ? (values[(o * dim) + j] - mean) / sd : 0);
            }
        }

        return result;
    }

    /// <summary>The encoder inputs of the given observations, <c>[rows × FeatureDim]</c>.</summary>
    public Tensor FeatureRows(ReadOnlySpan<int> rows)
    {
        var x = new Tensor(GC.AllocateUninitializedArray<float>(rows.Length * FeatureDim), [rows.Length, FeatureDim]); // every row is written below
        for (var i = 0; i < rows.Length; i++)
        {
            FeatureRow(rows[i], x.Data.AsSpan(i * FeatureDim, FeatureDim));
        }

        return x;
    }

    /// <summary>The aux targets of the given observations, <c>[rows × AuxDim]</c>.</summary>
    public Tensor AuxRows(ReadOnlySpan<int> rows)
    {
        var y = Tensor.Zeros(rows.Length, AuxDim);
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(aux, rows[i] * AuxDim, y.Data, i * AuxDim, AuxDim);
        }

        return y;
    }

    /// <summary>Source, action and target of the given transitions, as three arrays.</summary>
    internal (int[] From, int[] Actions, int[] To) TransitionsAt(ReadOnlySpan<int> transitions)
    {
        var f = new int[transitions.Length];
        var a = new int[transitions.Length];
        var t = new int[transitions.Length];
        for (var i = 0; i < transitions.Length; i++)
        {
            f[i] = from[transitions[i]];
            a[i] = action[transitions[i]];
            t[i] = to[transitions[i]];
        }

        return (f, a, t);
    }

    private static TrainingData Create(int observations, int featureDim, float[]? features, int actions, IReadOnlyList<Transition> transitions, float[] aux) =>
        new(observations, featureDim, features, actions,
            [.. transitions.Select(x => x.From)], [.. transitions.Select(x => x.Action)], [.. transitions.Select(x => x.To)], aux);

    /// <summary>The aux dimension of row-major aux values for <paramref name="observations"/> observations (1 when there are no observations).</summary>
    /// <exception cref="ArgumentException">When they do not divide evenly (or there are none).</exception>
    private static int AuxDimOf(float[] aux, int observations)
    {
        if (observations == 0 && aux.Length == 0)
        {
            return 1;
        }

        if (aux.Length == 0 || observations == 0 || aux.Length % observations != 0)
        {
            throw new ArgumentException($"{aux.Length} aux values do not divide into {observations} observations", nameof(aux));
        }

        return aux.Length / observations;
    }

    private void FeatureRow(int observation, Span<float> destination)
    {
        if (features is null)
        {
            destination.Clear();
            destination[observation] = 1f;
        }
        else
        {
            features.AsSpan(observation * FeatureDim, FeatureDim).CopyTo(destination);
        }
    }
}
