using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Pipeline.Latents;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Jepa.Verify.Pipeline.Onnx;

/// <summary>
/// A JEPA trained elsewhere, as ONNX graphs: the encoder E, and optionally the transition model T̂ and the aux
/// head P̂. Run by ONNX Runtime on the CPU, in batches, with a dynamic batch dimension.
/// </summary>
/// <remarks>
/// The contract (docs/formats.md, "ONNX models"): the encoder has one float32 input <c>[n, features]</c> or
/// <c>[n, d1, …, dk]</c> (an image encoder's <c>[n, C, H, W]</c>: each observation's features are read row-major into
/// that shape) and its first output is <c>[n, d]</c>; the transition model has two inputs, the latent first (float32 <c>[n, d]</c>) and
/// the action second, either a one-hot float32 <c>[n, actions]</c> or an int64 index <c>[n]</c> or <c>[n, 1]</c>,
/// whichever the graph declares, and its first output is <c>[n, d]</c>; the aux head has one float32 input
/// <c>[n, d]</c> and its first output is <c>[n, aux]</c> (or <c>[n]</c> for a scalar aux). Input names are free.
/// </remarks>
public sealed class OnnxJepa : IDisposable
{
    /// <summary>Rows per ONNX Runtime call.</summary>
    public const int BatchSize = 4096;

    private readonly OnnxModel? encoder;
    private readonly OnnxModel? transition;
    private readonly OnnxModel? auxHead;

    private OnnxJepa(OnnxModel? encoder, OnnxModel? transition, OnnxModel? auxHead, TwoHotBins? auxBins)
    {
        AuxBins = auxBins;
        this.encoder = encoder;
        this.transition = transition;
        this.auxHead = auxHead;
    }

    private OnnxModel Encoder => encoder ?? throw new InvalidOperationException("no encoder was loaded");

    /// <summary>The two-hot bins the aux head's logits are over, or null when it outputs aux values.</summary>
    public TwoHotBins? AuxBins { get; }

    /// <summary>True when the transition model was given.</summary>
    public bool HasTransition => transition is not null;

    /// <summary>True when the aux head was given.</summary>
    public bool HasAuxHead => auxHead is not null;

    /// <summary>Loads the graphs and checks their inputs against the contract.</summary>
    /// <param name="encoderPath">The encoder, or null when the latents come from a file (only the heads are run).</param>
    /// <param name="transitionPath">The transition model, or null.</param>
    /// <param name="auxHeadPath">The aux head, or null.</param>
    /// <exception cref="Mdp.MdpFormatException">A file is not an ONNX model, or an input breaks the contract (the message names it and says what the graph declares).</exception>
    /// <param name="auxBins">The aux head outputs logits over these two-hot bins, or null for aux values.</param>
    public static OnnxJepa Load(string? encoderPath, string? transitionPath, string? auxHeadPath, TwoHotBins? auxBins = null)
    {
        var models = new List<OnnxModel>();
        try
        {
            var e = encoderPath is null ? null : Add(models, OnnxModel.Load(encoderPath, "--encoder"));
            e?.RequireInputCount(1, "the encoder takes one, the observations' features");
            e?.RequireInput<float>(0, "the observations' features", 2, 3, 4, 5, 6);
            var t = transitionPath is null ? null : Add(models, OnnxModel.Load(transitionPath, "--transition"));
            if (t is not null)
            {
                t.RequireInputCount(2, "the transition model takes two, the latent and then the action");
                t.RequireInput<float>(0, "the latent", 2);
                if (t.Inputs[1].Meta.ElementType == typeof(long))
                {
                    t.RequireInput<long>(1, "the action index", 1, 2);
                }
                else
                {
                    t.RequireInput<float>(1, "the one-hot action", 2);
                }
            }

            var p = auxHeadPath is null ? null : Add(models, OnnxModel.Load(auxHeadPath, "--aux-head"));
            p?.RequireInputCount(1, "the aux head takes one, the latent");
            p?.RequireInput<float>(0, "the latent", 2);
            return new OnnxJepa(e, t, p, auxBins);
        }
        catch
        {
            models.ForEach(m => m.Dispose());
            throw;
        }
    }

    /// <summary>The encoder's latents of every observation of <paramref name="data"/>: its features, or one-hot ids when it has none.</summary>
    /// <param name="data">The MDP's training data.</param>
    /// <exception cref="Mdp.MdpFormatException">The encoder declares another feature size, fails, or outputs NaN/∞.</exception>
    public LatentMatrix Encode(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);

        // The MDP's own inputs are made batch by batch: one-hot ids would otherwise be an observations × observations matrix.
        var width = data.FeatureDim;
        var hint = data.OneHot ? " (one-hot ids: the MDP has no features; give them with --features)" : " (the MDP's features, read row-major into the encoder's input shape)";
        var shape = RowShape(width, [], hint);
        return Encode(data.Observations, shape, (name, start, count) =>
            NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data.FeatureRows([.. Enumerable.Range(start, count)]).Data, [count, .. shape])));
    }

    /// <summary>
    /// The encoder's latents of every row of <paramref name="features"/>, read from the file one batch at a time (the whole
    /// array is never held); when <paramref name="mdp"/> has features of the same size, the file is compared with them and
    /// a difference is returned as one warning line.
    /// </summary>
    /// <param name="features">An open <c>.npy</c> array, not yet read (<see cref="LatentsFile.OpenFeatures"/>).</param>
    /// <param name="mdp">The MDP's training data (its features, when it has them, are compared with the file's), or null.</param>
    /// <exception cref="Mdp.MdpFormatException">The encoder declares another input shape, fails, or outputs NaN/∞; or the file holds a non-finite value.</exception>
    public (LatentMatrix Latents, string? Warning) Encode(NpyMatrix features, TrainingData? mdp = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        var columns = features.Columns;
        var shape = RowShape(columns, features.RowShape, $" ({features.Path} holds [{features.Rows}, {string.Join(", ", features.RowShape)}])");
        var compare = mdp is { OneHot: false } && mdp.FeatureDim == columns;
        var (differing, largest) = (0L, 0.0);
        var latents = Encode(features.Rows, shape, (name, start, count) =>
        {
            var rows = new float[count * columns];
            features.ReadRows(rows);
            if (compare)
            {
                var own = mdp!.FeatureRows([.. Enumerable.Range(start, count)]).Data;
                for (var i = 0; i < rows.Length; i++)
                {
                    var gap = Math.Abs((double)rows[i] - own[i]);
                    (differing, largest) = gap > 0 ? (differing + 1, Math.Max(largest, gap)) : (differing, largest);
                }
            }

            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(rows, [count, .. shape]));
        });
        var warning = differing == 0 ? null
            : $"{features.Path} differs from the MDP's features in {differing} of {(long)features.Rows * columns} values (largest difference {largest:G4}); the latents come from the file. If the file holds images as [N, H, W, C], save them as [N, C, H, W] (x.transpose(0, 3, 1, 2)), the order the MDP file and PyTorch use";
        return (latents, warning);
    }

    /// <summary>The encoder's latents of <paramref name="rows"/> feature rows, <see cref="BatchSize"/> rows per ONNX Runtime call.</summary>
    /// <param name="features">Row-major <c>[rows × columns]</c>.</param>
    /// <param name="rows">How many rows.</param>
    /// <param name="columns">Features per row.</param>
    /// <exception cref="Mdp.MdpFormatException">The encoder declares another feature size, fails, or outputs NaN/∞.</exception>
    public LatentMatrix Encode(float[] features, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(features);
        var shape = RowShape(columns, [], "");
        return Encode(rows, shape, (name, start, count) =>
            NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(features.AsMemory(start * columns, count * columns), [count, .. shape])));
    }

    /// <summary>
    /// The shape one observation takes at the encoder's input: its declared dimensions after the batch (<c>[features]</c>,
    /// or <c>[C, H, W]</c> for an image encoder), a symbolic one taken from <paramref name="given"/> (a file's row shape) or,
    /// when it is the only one, from <paramref name="width"/>; checked against <paramref name="width"/> values per observation.
    /// </summary>
    private int[] RowShape(int width, IReadOnlyList<int> given, string hint)
    {
        var encoder = Encoder;
        var (name, meta) = encoder.Inputs[0];
        var declared = meta.Dimensions.Skip(1).ToArray();
        string Shown(IEnumerable<int> dims) => "[" + string.Join(", ", dims.Select(d => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")) + "]";
        if (given.Count > 1)
        {
            // A file of tensors [N, d1, …, dk] must match the encoder's input shape dimension by dimension.
            if (given.Count != declared.Length || declared.Where((d, i) => d > 0 && d != given[i]).Any())
            {
                var transposed = given.Count == 3 && declared.Length == 3 && given[2] == declared[0] && given[0] == declared[1] && given[1] == declared[2];
                throw encoder.Error($"input '{name}' takes {Shown(declared)} per observation, but the features are {Shown(given)}{hint}",
                    transposed ? "the file looks like [N, H, W, C]: save it as [N, C, H, W] with x.transpose(0, 3, 1, 2)" : "give the encoder the inputs it was exported for");
            }

            return [.. given];
        }

        var unknown = declared.Count(d => d <= 0);
        var known = declared.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
        if (unknown > 1 || (unknown == 1 && width % known != 0) || (unknown == 0 && known != width))
        {
            throw encoder.Error($"input '{name}' takes {Shown(declared)} = {(unknown == 0 ? known.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} values per observation, but the observations have {width}{hint}",
                unknown > 1 ? "export the encoder with only the batch dimension dynamic (dynamic_axes={'input': {0: 'batch'}})" : "give the encoder the features it was trained on (docs/formats.md: features are read row-major, images as C, H, W)");
        }

        return [.. declared.Select(d => d > 0 ? d : (int)(width / known))];
    }

    /// <summary>Runs the encoder over <paramref name="rows"/> rows of one observation's <paramref name="shape"/>, each batch's input made by <paramref name="batch"/> (input name, first row, row count).</summary>
    private LatentMatrix Encode(int rows, int[] shape, Func<string, int, int, NamedOnnxValue> batch)
    {
        var encoder = Encoder;
        var (name, _) = encoder.Inputs[0];
        var (z, dim) = encoder.Run(rows, BatchSize, (start, count) => [batch(name, start, count)]);
        return new LatentMatrix(z, rows, dim, $"ONNX encoder {encoder.Path}");
    }

    /// <summary>T̂(z_from, a) for every transition of <paramref name="data"/>, row-major <c>[transitions × d]</c>.</summary>
    /// <exception cref="InvalidOperationException">No transition model was given.</exception>
    /// <exception cref="Mdp.MdpFormatException">The model fails, declares other sizes, or outputs NaN/∞.</exception>
    public float[] PredictNext(TrainingData data, LatentMatrix latents)
    {
        var t = transition ?? throw new InvalidOperationException("no transition model was loaded");
        var m = data.TransitionCount;

        var (zName, _) = t.Inputs[0];
        var (aName, aMeta) = t.Inputs[1];
        var index = aMeta.ElementType == typeof(long);
        if (!index && aMeta.Dimensions[1] > 0 && aMeta.Dimensions[1] != data.Actions)
        {
            throw t.Error($"input '{aName}' declares a one-hot of {aMeta.Dimensions[1]} actions, but the MDP has {data.Actions}", "export the transition model for this MDP's actions");
        }

        var (next, dim) = t.Run(m, BatchSize, (start, count) =>
        {
            NamedOnnxValue action;
            if (index)
            {
                var a = new long[count];
                for (var i = 0; i < count; i++)
                {
                    a[i] = data.Action[start + i];
                }

                action = NamedOnnxValue.CreateFromTensor(aName, new DenseTensor<long>(a, aMeta.Dimensions.Length == 1 ? [count] : [count, 1]));
            }
            else
            {
                var a = new float[count * data.Actions];
                for (var i = 0; i < count; i++)
                {
                    a[(i * data.Actions) + data.Action[start + i]] = 1f;
                }

                action = NamedOnnxValue.CreateFromTensor(aName, new DenseTensor<float>(a, [count, data.Actions]));
            }

            // Each batch's source latents are gathered here: no copy of a latent per transition for all of them at once.
            var from = new float[count * latents.Dim];
            for (var i = 0; i < count; i++)
            {
                Array.Copy(latents.Values, data.From[start + i] * latents.Dim, from, i * latents.Dim, latents.Dim);
            }

            return [OnnxModel.Rows(zName, from, 0, count, latents.Dim), action];
        });
        if (dim != latents.Dim)
        {
            throw t.Error($"the output has {dim} columns, but the encoder's latents have {latents.Dim}", "T̂ must predict a latent of the encoder's size");
        }

        return next;
    }

    /// <summary>P̂(z) for every observation, row-major <c>[observations × aux]</c>.</summary>
    /// <exception cref="InvalidOperationException">No aux head was given.</exception>
    /// <exception cref="Mdp.MdpFormatException">The head fails, or outputs NaN/∞.</exception>
    public (float[] Values, int Columns) PredictAux(LatentMatrix latents)
    {
        var p = auxHead ?? throw new InvalidOperationException("no aux head was loaded");
        var (name, _) = p.Inputs[0];
        return p.Run(latents.Rows, BatchSize, (start, count) => [OnnxModel.Rows(name, latents.Values, start, count, latents.Dim)]);
    }

    /// <summary>
    /// The transition model and aux head as graphs the certificate can bound (<see cref="OnnxHeads"/>), checked against
    /// ONNX Runtime: the graphs must reproduce <paramref name="next"/> and <paramref name="aux"/> (what the runtime
    /// computed) to 1e-4 relative, or there is no certificate.
    /// </summary>
    /// <param name="data">The transitions the runtime predicted.</param>
    /// <param name="latents">The encoder's latents.</param>
    /// <param name="next">The runtime's T̂(z_from, a) per transition.</param>
    /// <param name="aux">The runtime's P̂(z) per observation.</param>
    /// <returns>The heads, or why there are none (one line).</returns>
    public (CertifiedHeads? Heads, string? Why) Heads(TrainingData data, LatentMatrix latents, float[] next, float[] aux)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(latents);
        if (transition is null || auxHead is null)
        {
            return (null, "a certificate needs both the transition model and the aux head");
        }

        var (t, whyT) = OnnxHeads.Read(transition.Path, latents.Dim, data.Actions);
        var (p, whyP) = OnnxHeads.Read(auxHead.Path, latents.Dim, null);
        if (t is null || p is null)
        {
            return (null, whyT ?? whyP);
        }

        // Every row is compared, on all cores (a row's latent converted on the way: no double copy of all latents).
        var d = latents.Dim;
        double[] Row(int o)
        {
            var row = new double[d];
            for (var k = 0; k < d; k++)
            {
                row[k] = latents.Values[(o * d) + k];
            }

            return row;
        }

        var gate = new object();
        var worst = 0.0;
        void Keep(double local)
        {
            lock (gate)
            {
                worst = Math.Max(worst, local);
            }
        }

        Parallel.For(0, data.TransitionCount, () => 0.0,
            (i, _, local) => Math.Max(local, Gap(((IHead)t).EvaluateTransition(Row(data.From[i]), data.Action[i], data.Actions), next, i * d)), Keep);
        Parallel.For(0, latents.Rows, () => 0.0, (o, _, local) => Math.Max(local, Gap(p.Evaluate(Row(o)), aux, o * p.Outputs)), Keep);

        if (worst > 1e-4)
        {
            return (null, $"the graphs as read for the certificate differ from ONNX Runtime's outputs by {worst:G3} (relative); they hold something this reader does not model");
        }

        if (AuxBins is not { } bins)
        {
            return (new CertifiedHeads(t, p), null);
        }

        // A two-hot head: its logits, then their expected bin, which predicts clamp(symlog(p)) (docs/certificate.md).
        return (CertifiedHeads.TwoHot(t, p, bins), null);
    }

    /// <summary>The largest relative difference between <paramref name="head"/> and the runtime's values from <paramref name="offset"/>.</summary>
    private static double Gap(double[] head, float[] runtime, int offset)
    {
        double worst = 0;
        for (var k = 0; k < head.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(head[k] - runtime[offset + k]) / (1 + Math.Abs(runtime[offset + k])));
        }

        return worst;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        encoder?.Dispose();
        transition?.Dispose();
        auxHead?.Dispose();
    }

    private static OnnxModel Add(List<OnnxModel> models, OnnxModel model)
    {
        models.Add(model);
        return model;
    }
}
