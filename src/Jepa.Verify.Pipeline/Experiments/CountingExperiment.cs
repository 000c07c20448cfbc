using System.Collections.Immutable;
using System.Diagnostics;
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
/// <c>min_latents</c>, then every mode trained on the same data per seed, with clusters, count
/// accuracy, the theorem's verdict and probes of what else the latents keep.
/// </summary>
public static class CountingExperiment
{
    /// <summary>Share of the observations held out for the probes and the count accuracy.</summary>
    public const double TestFraction = 0.3;

    private const ulong SplitStream = 0x70726F6265737321UL;

    /// <summary>Runs the experiment; <paramref name="log"/> gets one line per finished run.</summary>
    public static CountingResult Run(CountingSettings settings, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var mdp = CountingEnvironment.Exact(settings.Environment);
        var scenes = CountingEnvironment.ExactScenes(settings.Environment);
        var options = new BisimulationOptions();
        var analysis = Analysis.Of(mdp, options);
        var data = TrainingData.FromMdp(mdp);
        var abstraction = analysis.Abstraction();
        var proof = AbstractionProver.Prove(abstraction, SolverPanel.For("z3"), new SolverOptions(TimeSpan.FromSeconds(60)));
        log?.Invoke($"{mdp.Source}: {mdp.ObservationCount} observations, {analysis.Result.Partition!.Count} bisimulation classes; Z3: min_latents = {proof.MinLatents?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");

        var targets = Targets(scenes, settings.Environment.Size);
        var outcomes = new List<ModeOutcome>();
        foreach (var seed in settings.Seeds)
        {
            var (train, test) = LatentProbe.Split(mdp.ObservationCount, TestFraction, seed ^ SplitStream);
            foreach (var mode in settings.Modes)
            {
                var config = settings.Training with { Mode = mode, Seed = seed };
                var run = TrainingRun.Train(analysis, data, options, config, settings.Collapse);
                var z = run.Result.Latents.AsSpan();
                var dim = run.Result.LatentDim;
                var outcome = new ModeOutcome(mode, seed, run,
                    CountGroups(run.Report.ClusterOf, targets.Count),
                    LatentProbe.NearestCentroid(z, dim, targets.Count, train, test),
                    LatentProbe.Linear(z, dim, targets.Shape, train, test),
                    LatentProbe.Linear(z, dim, targets.Colour, train, test),
                    LatentProbe.Linear(z, dim, targets.Position, train, test),
                    LatentPca.Project(z, dim).Coordinates);
                outcomes.Add(outcome);
                log?.Invoke($"  seed {seed} {TrainingModes.Name(mode)}: {run.Result.Steps} steps, L_dyn {run.Result.LossDyn:G3}, L_p {run.Result.LossAux:G3}, {run.Report.Clusters} clusters, {outcome.CountGroups} count groups, {outcome.Verdict}");
            }
        }

        return new CountingResult(settings, analysis, [.. scenes.Select(s => s.Count)], proof, [.. outcomes], clock.Elapsed.TotalSeconds);
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
