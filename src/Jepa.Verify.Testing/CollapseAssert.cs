using System.Globalization;
using System.Text;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Pipeline.Latents;
using Jepa.Verify.Pipeline.Onnx;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Testing;

/// <summary>
/// Checks latents that <em>your</em> model produced (as plain arrays) against the MDP's bisimulation:
/// observations that are not bisimilar must be more than a tolerance apart (relative to the RMS
/// latent norm). Bisimilar observations may share a latent: that collapse is healthy and allowed.
/// </summary>
/// <example>
/// <code>
/// float[][] z = mdp.Observations.Select(id => myEncoder.Encode(Observe(id))).ToArray();
/// CollapseAssert.NoUnhealthyCollapse(mdp, z);                  // tolerance 1e-3 × RMS norm
/// </code>
/// </example>
public static class CollapseAssert
{
    /// <summary>The default relative tolerance, as in <c>jepa-verify train</c>.</summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>Asserts that no two non-bisimilar observations have latents within the tolerance.</summary>
    /// <param name="mdp">The environment; latents are in the order of <see cref="MdpModel.Observations"/>.</param>
    /// <param name="latents">One vector per observation, all of one length.</param>
    /// <param name="tolerance">Relative to the RMS latent norm; 0 asks only for distinct latents.</param>
    /// <param name="options">Bisimulation options (aux tolerance, missing transitions); null for the defaults.</param>
    /// <returns>The full collapse report (clusters, purity, distances) for further assertions.</returns>
    /// <exception cref="ArgumentException">When the latents do not fit the MDP (count, lengths, NaN).</exception>
    /// <exception cref="JepaAssertionException">Naming the closest collapsed pairs and why they must differ.</exception>
    public static CollapseReport NoUnhealthyCollapse(MdpModel mdp, IReadOnlyList<float[]> latents, double tolerance = DefaultTolerance, BisimulationOptions? options = null)
    {
        var report = Analyze(mdp, latents, tolerance, options);
        if (!report.Separated)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture,
                $"unhealthy collapse in {mdp.Source}: {report.Violations} of {report.NonEquivalentPairs} non-bisimilar pairs have latents within {tolerance:G3} × the RMS norm {report.Scale:G3}; closest:");
            foreach (var p in report.OffendingPairs.Take(5))
            {
                sb.Append(CultureInfo.InvariantCulture, $" {mdp.Observations[p.A]} ~ {mdp.Observations[p.B]} at {p.Distance:G3};");
            }

            sb.Append(" a zero-loss JEPA keeps these apart (see 'jepa-verify explain' for why each pair differs)");
            throw new JepaAssertionException(sb.ToString());
        }

        return report;
    }

    /// <summary>As <see cref="NoUnhealthyCollapse(MdpModel, IReadOnlyList{float[]}, double, BisimulationOptions)"/>, with latents keyed by observation id.</summary>
    /// <exception cref="ArgumentException">When an observation has no latent or an id is unknown.</exception>
    public static CollapseReport NoUnhealthyCollapse(MdpModel mdp, IReadOnlyDictionary<string, float[]> latents, double tolerance = DefaultTolerance, BisimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(latents);
        foreach (var id in latents.Keys)
        {
            MdpAssert.Index(mdp, id);
        }

        var ordered = mdp.Observations.Select(id => latents.TryGetValue(id, out var z) ? z : throw new ArgumentException($"no latent for observation '{id}'", nameof(latents))).ToArray();
        return NoUnhealthyCollapse(mdp, ordered, tolerance, options);
    }

    /// <summary>
    /// As <see cref="NoUnhealthyCollapse(MdpModel, IReadOnlyList{float[]}, double, BisimulationOptions)"/>, with the latents
    /// a model wrote to a file: a <c>.npy</c> matrix in the MDP's observation order, or a CSV <c>id,z0,z1,…</c>.
    /// </summary>
    /// <exception cref="MdpFormatException">The file cannot be read as latents of this MDP (one line naming the place).</exception>
    /// <exception cref="JepaAssertionException">Naming the closest collapsed pairs.</exception>
    public static CollapseReport NoUnhealthyCollapseInFile(MdpModel mdp, string latentsPath, double tolerance = DefaultTolerance, BisimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        return NoUnhealthyCollapse(mdp, Rows(LatentsFile.Read(latentsPath, mdp)), tolerance, options);
    }

    /// <summary>
    /// Asserts the theorem on a JEPA exported to ONNX: its encoder, run by ONNX Runtime over the MDP's features (one-hot ids
    /// when it has none), keeps the non-bisimilar observations apart; and, when the transition model and the aux head are
    /// given, both full-data losses are below <paramref name="lossTarget"/> (the premise).
    /// </summary>
    /// <example><c>CollapseAssert.NoUnhealthyCollapseOfOnnxModel(mdp, "encoder.onnx", "transition.onnx", "aux_head.onnx");</c></example>
    /// <returns>The assessment: latents, losses, largest residuals and the collapse report.</returns>
    /// <exception cref="MdpFormatException">A model breaks the ONNX contract (docs/formats.md), or outputs NaN/∞.</exception>
    /// <exception cref="JepaAssertionException">Collapsed non-bisimilar pairs, or losses above the target.</exception>
    public static Assessment NoUnhealthyCollapseOfOnnxModel(MdpModel mdp, string encoder, string? transition = null, string? auxHead = null, double lossTarget = 1e-4, double tolerance = DefaultTolerance, BisimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var data = TrainingData.FromMdp(mdp);
        using var model = OnnxJepa.Load(encoder, transition, auxHead);
        var latents = model.Encode(data);
        NoUnhealthyCollapse(mdp, Rows(latents), tolerance, options);
        var assessment = Assessment.Run(mdp, MdpAssert.Classes(mdp, options), data, latents, model, lossTarget, new CollapseOptions(tolerance));
        if (assessment.LossesBelowTarget == false)
        {
            throw new JepaAssertionException(string.Create(CultureInfo.InvariantCulture,
                $"the premise fails in {mdp.Source}: L_dyn {assessment.LossDyn:G3} (largest residual {assessment.MaxResidualDyn:G3}) and L_p {assessment.LossAux:G3} (largest {assessment.MaxResidualAux:G3}) are not both below {lossTarget:G3}; the theorem does not apply to this model yet"));
        }

        return assessment;
    }

    /// <summary>Asserts complete collapse: every latent within the tolerance of every other (what a transition-only ablation should show).</summary>
    /// <exception cref="JepaAssertionException">With the number of clusters found.</exception>
    public static CollapseReport CompletelyCollapsed(MdpModel mdp, IReadOnlyList<float[]> latents, double tolerance = DefaultTolerance)
    {
        var report = Analyze(mdp, latents, tolerance, null);
        if (report.Clusters != 1)
        {
            throw new JepaAssertionException(string.Create(CultureInfo.InvariantCulture, $"expected every latent of {mdp.Source} in one cluster at tolerance {tolerance:G3}, found {report.Clusters} clusters"));
        }

        return report;
    }

    private static float[][] Rows(LatentMatrix z) => [.. Enumerable.Range(0, z.Rows).Select(i => z.Values.AsSpan(i * z.Dim, z.Dim).ToArray())];

    private static CollapseReport Analyze(MdpModel mdp, IReadOnlyList<float[]> latents, double tolerance, BisimulationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(latents);
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentException($"the tolerance must be a finite number >= 0, got {tolerance}", nameof(tolerance));
        }

        if (latents.Count != mdp.ObservationCount)
        {
            throw new ArgumentException($"{latents.Count} latents for {mdp.ObservationCount} observations; give one per observation, in the MDP's order", nameof(latents));
        }

        var dim = latents.Count == 0 ? 0 : latents[0]?.Length ?? 0;
        var flat = new float[latents.Count * dim];
        for (var i = 0; i < latents.Count; i++)
        {
            var z = latents[i];
            if (z is null || z.Length != dim)
            {
                throw new ArgumentException($"the latent of '{mdp.Observations[i]}' has length {z?.Length ?? 0}, the first has {dim}; give vectors of one length", nameof(latents));
            }

            if (Array.FindIndex(z, v => !float.IsFinite(v)) is var bad and >= 0)
            {
                throw new ArgumentException($"the latent of '{mdp.Observations[i]}' holds {z[bad]} at {bad}; latents must be finite", nameof(latents));
            }

            z.CopyTo(flat, i * dim);
        }

        var result = MdpAssert.Classes(mdp, options);
        var collapse = new CollapseOptions(tolerance);
        return CollapseAnalysis.Analyze(flat, dim, result.Pairs, mdp.Labels, collapse);
    }
}
