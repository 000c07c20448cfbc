using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Proofs;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>
/// The paper's counting experiment on the exact image MDP: classes, the Z3 proof of
/// <c>min_latents</c>, then every mode trained on the same data per seed (with the encoder <c>train</c> would
/// choose, and the MLP beside it for joint), with clusters, count accuracy, the theorem's verdict and certificate,
/// the decoder probe and probes of what else the latents keep; <see cref="CountingClaims"/> turns them into the paper's claims.
/// </summary>
public static class CountingExperiment
{
    /// <summary>Share of the observations held out for the probes and the count accuracy.</summary>
    public const double TestFraction = 0.3;

    private const ulong SplitStream = 0x70726F6265737321UL;
    private const ulong DecoderStream = 0x6465636F64657221UL;

    /// <summary>Runs the experiment; <paramref name="log"/> gets one line per finished run.</summary>
    /// <exception cref="PipelineException">The encoder asked for does not fit the environment's features.</exception>
    public static CountingResult Run(CountingSettings settings, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var mdp = CountingEnvironment.Exact(settings.Environment);
        var scenes = CountingEnvironment.ExactScenes(settings.Environment);
        var options = new BisimulationOptions();
        var analysis = Analysis.Of(mdp, options);
        var data = TrainingData.FromMdp(mdp);
        var abstraction = analysis.Abstraction();
        var proof = AbstractionProver.Prove(abstraction, SolverPanel.For("z3"), new SolverOptions(TimeSpan.FromSeconds(60)));
        log?.Invoke($"{mdp.Source}: {mdp.ObservationCount} observations, {analysis.Result.Partition!.Count} bisimulation classes; Z3: min_latents = {proof.MinLatents?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");

        var targets = Targets(scenes, settings.Environment.Size);
        var pixels = data.FeatureDim;
        var identicalImages = IdenticalImages(mdp);
        var runs = settings.Modes.Select(m => (Row: TrainingModes.Name(m), Mode: m, Encoder: settings.Encoder)).ToList();
        if (settings.RunsMlpComparison)
        {
            runs.Add((CountingSettings.MlpRow, TrainingMode.Joint, EncoderChoice.Mlp));
        }

        var outcomes = new List<ModeOutcome>();
        foreach (var seed in settings.Seeds)
        {
            var (train, test) = LatentProbe.Split(mdp.ObservationCount, TestFraction, seed ^ SplitStream);
            var (trainImages, testImages) = (data.FeatureRows(train).Data, data.FeatureRows(test).Data);
            foreach (var (row, mode, encoder) in runs)
            {
                var runClock = Stopwatch.StartNew();
                var config = Encoders.Resolve(settings.Training with { Mode = mode, Seed = seed }, mdp, encoder);
                var run = TrainingRun.Train(analysis, data, options, config, settings.Collapse);
                var z = run.Result.Latents.AsSpan();
                var dim = run.Result.LatentDim;
                (double, double)? decoder = null;
                if (settings.DecoderSteps > 0)
                {
                    var (mse, baseline, _) = DecoderProbe.Fit((Rows(z, dim, train), trainImages), (Rows(z, dim, test), testImages), dim, pixels, settings.DecoderSteps, seed ^ DecoderStream);
                    decoder = (mse, baseline);
                }

                var outcome = new ModeOutcome(row, mode, seed, run,
                    CountGroups(run.Report.ClusterOf, targets.Count),
                    LatentProbe.NearestCentroid(z, dim, targets.Count, train, test),
                    LatentProbe.Linear(z, dim, targets.Shape, train, test),
                    LatentProbe.Linear(z, dim, targets.Colour, train, test),
                    LatentProbe.Linear(z, dim, targets.Position, train, test),
                    LatentPca.Project(z, dim).Coordinates,
                    identicalImages.Count(p => !run.Analysis.Result.Partition!.SameClass(p.A, p.B)),
                    decoder,
                    runClock.Elapsed.TotalSeconds);
                outcomes.Add(outcome);
                var certified = run.Certificate is { } c ? $", {c.CertifiedPairs} of {c.NonEquivalentPairs} pairs certified" : "";
                var decoded = decoder is var (mseShown, meanShown) ? string.Create(CultureInfo.InvariantCulture, $", decoder {mseShown:G3} vs mean image {meanShown:G3}") : "";
                log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"  seed {seed} {row}: {run.Result.Steps} steps, L_dyn {run.Result.LossDyn:G3}, L_p {run.Result.LossAux:G3}, {run.Report.Clusters} clusters, {outcome.CountGroups} count groups, {outcome.Verdict}{certified}{decoded}, {outcome.Seconds:0} s"));
            }
        }

        return new CountingResult(settings, analysis, [.. scenes.Select(s => s.Count)], proof, [.. outcomes], clock.Elapsed.TotalSeconds);
    }

    /// <summary>The given rows of a row-major latent matrix.</summary>
    private static float[] Rows(ReadOnlySpan<float> z, int dim, int[] rows)
    {
        var result = new float[rows.Length * dim];
        for (var i = 0; i < rows.Length; i++)
        {
            z.Slice(rows[i] * dim, dim).CopyTo(result.AsSpan(i * dim, dim));
        }

        return result;
    }

    /// <summary>The pairs of observations with identical images (a scan of all pairs: the exact MDP has a few hundred observations).</summary>
    private static List<(int A, int B)> IdenticalImages(MdpModel mdp)
    {
        var pairs = new List<(int, int)>();
        for (var a = 0; a < mdp.ObservationCount; a++)
        {
            for (var b = a + 1; b < mdp.ObservationCount; b++)
            {
                if (mdp.Features[a].AsSpan().SequenceEqual(mdp.Features[b].AsSpan()))
                {
                    pairs.Add((a, b));
                }
            }
        }

        return pairs;
    }

    /// <summary>The number of groups of counts after merging the counts that share a latent cluster (union–find over counts).</summary>
    public static int CountGroups(IReadOnlyList<int> clusterOf, IReadOnlyList<int> count)
    {
        var parent = Enumerable.Range(0, CountingRenderer.MaxCount + 1).ToArray();
        int Find(int c) => parent[c] == c ? c : parent[c] = Find(parent[c]);
        var firstCount = new Dictionary<int, int>();
        for (var o = 0; o < clusterOf.Count; o++)
        {
            if (firstCount.TryGetValue(clusterOf[o], out var c))
            {
                parent[Find(count[o])] = Find(c);
            }
            else
            {
                firstCount[clusterOf[o]] = count[o];
            }
        }

        return count.Select(Find).Distinct().Count();
    }

    /// <summary>
    /// The probe targets per observation: count; shape, brightest channel and the quadrant of the
    /// objects' mean centre (−1 for count 0, whose black image shows none of them).
    /// </summary>
    internal static (int[] Count, int[] Shape, int[] Colour, int[] Position) Targets(IReadOnlyList<CountingScene> scenes, int size)
    {
        int[] count = [.. scenes.Select(s => s.Count)];
        int[] shape = [.. scenes.Select(s => s.Count == 0 ? -1 : (int)s.Shape)];
        int[] colour = [.. scenes.Select(s => s.Count == 0 ? -1 : s.Colour.DominantChannel)];
        int[] position = [.. scenes.Select(s =>
        {
            if (s.Count == 0)
            {
                return -1;
            }

            var layout = CountingRenderer.Layout(s.Count, s.LayoutSeed, size);
            var (x, y) = (layout.Average(p => p.X), layout.Average(p => p.Y));
            return (2 * x >= size - 1 ? 1 : 0) + (2 * y >= size - 1 ? 2 : 0);
        })];
        return (count, shape, colour, position);
    }
}
