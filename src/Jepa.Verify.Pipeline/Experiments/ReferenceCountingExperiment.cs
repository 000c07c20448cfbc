using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>
/// The paper's counting experiment as its reference code runs it: P-JEPA with the convolutional encoder and the
/// reference's losses (<see cref="PJepaConfig.Paper"/>) trained on the reference's data distribution (trajectories of 4
/// uniformly random actions, count reset uniformly in 0–8, positions redrawn on every count change), then evaluated on
/// held-out probe observations (a reset plus 3–5 random steps): cluster accuracy by nearest centroid, the decoder probe,
/// shape/colour/position probes, t-SNE and PCA, and the theorem's verdict against the data's finite-data relation.
/// </summary>
public static class ReferenceCountingExperiment
{
    private const ulong DecoderStream = 0x6465636F64657221UL;
    private const ulong TsneStream = 0x74736E6521212121UL;

    /// <summary>Probe reconstructions kept for the figure.</summary>
    public const int ShownReconstructions = 8;

    /// <summary>Runs the experiment; <paramref name="log"/> gets one line per seed and per finished run.</summary>
    /// <exception cref="ArgumentException">When <see cref="ReferenceCountingSettings.Problem"/> finds one.</exception>
    public static ReferenceCountingResult Run(ReferenceCountingSettings settings, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        var clock = Stopwatch.StartNew();
        var bisimulation = new BisimulationOptions();
        var outcomes = new List<ReferenceOutcome>();
        var observations = new List<int>();
        var transitionCounts = new List<int>();
        float[]? shownProbes = null;
        var pixels = 3 * settings.Size * settings.Size;
        foreach (var seed in settings.Seeds)
        {
            var options = new CountingOptions(Size: settings.Size, Target: settings.Target, Seed: seed, Features: false);
            var trajectories = CountingEnvironment.Trajectories(options, settings.Episodes, settings.EpisodeSteps);
            var (scenes, transitions, _) = trajectories;
            var features = Render(scenes, settings.Size);
            var probes = CountingEnvironment.ProbeScenes(options, settings.Probes);
            var probeFeatures = Render(probes, settings.Size);
            shownProbes ??= probeFeatures[..(Math.Min(ShownReconstructions, probes.Length) * pixels)];
            observations.Add(scenes.Length);
            transitionCounts.Add(transitions.Length);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: {scenes.Length} observations, {transitions.Length} distinct transitions from {settings.Episodes} trajectories of {settings.EpisodeSteps} steps; {probes.Length} probes"));

            var train = CountingExperiment.Targets(scenes, settings.Size);
            var held = CountingExperiment.Targets(probes, settings.Size);
            int[] Joined(int[] a, int[] b) => [.. a, .. b];
            var (count, shape, colour, position) = (Joined(train.Count, held.Count), Joined(train.Shape, held.Shape), Joined(train.Colour, held.Colour), Joined(train.Position, held.Position));
            int[] trainRows = [.. Enumerable.Range(0, scenes.Length)];
            int[] probeRows = [.. Enumerable.Range(scenes.Length, probes.Length)];

            var inputs = new Dictionary<CountingReward, (Analysis Analysis, TrainingData Data)>();
            foreach (var mode in settings.Modes)
            {
                var clockRun = Stopwatch.StartNew();
                var (trainingMode, reward) = ReferenceModes.Of(mode);
                if (!inputs.TryGetValue(reward, out var input))
                {
                    // The structure-only dataset MDP of the same trajectories: its observations are the rendered scenes, in order.
                    var mdp = CountingEnvironment.Dataset(options with { Reward = reward }, trajectories, settings.EpisodeSteps);
                    var aux = mdp.Aux.Select(v => (float)v.Components[0]).ToArray();
                    var data = TrainingData.FromArrays(scenes.Length, features, CountingEnvironment.Actions.Count,
                        [.. transitions.Select(t => new Transition(t.From, t.Action, t.To))], aux);
                    inputs[reward] = input = (Analysis.Of(mdp, bisimulation), data);
                }

                var config = settings.Training with { Mode = trainingMode, Seed = seed };
                var run = TrainingRun.Train(input.Analysis, input.Data, bisimulation, config, settings.Collapse);
                var model = run.Result.Model;
                var dim = run.Result.LatentDim;
                float[] trainZ = [.. run.Result.Latents];
                var probeZ = model.Encode(probeFeatures);
                float[] z = [.. trainZ, .. probeZ];
                var (mse, baseline, reconstructions) = DecoderProbe.Fit((trainZ, features), (probeZ, probeFeatures), dim, pixels, settings.DecoderSteps, seed ^ DecoderStream);
                var tsne = Tsne.Embed([.. Enumerable.Range(0, probes.Length).Select(i => probeZ.AsSpan(i * dim, dim).ToArray())], 30, seed ^ TsneStream).Embedding;
                var outcome = new ReferenceOutcome(mode, seed, run,
                    CountingExperiment.CountGroups(run.Report.ClusterOf, train.Count),
                    LatentProbe.NearestCentroid(z, dim, count, trainRows, probeRows),
                    LatentProbe.NearestCentroid(z, dim, count, probeRows, probeRows),
                    LatentProbe.Linear(z, dim, shape, trainRows, probeRows),
                    LatentProbe.Linear(z, dim, colour, trainRows, probeRows),
                    LatentProbe.Linear(z, dim, position, trainRows, probeRows),
                    mse, baseline, [.. held.Count], probeZ,
                    LatentPca.Project(probeZ, dim).Coordinates,
                    [.. Enumerable.Range(0, tsne.GetLength(0)).SelectMany(i => new[] { tsne[i, 0], tsne[i, 1] })],
                    reconstructions[..(Math.Min(ShownReconstructions, probes.Length) * pixels)],
                    clockRun.Elapsed.TotalSeconds);
                outcomes.Add(outcome);
                log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"  seed {seed} {ReferenceModes.Name(mode)}: {run.Result.Steps} steps, L_dyn {run.Result.LossDyn:G3}, L_p {run.Result.LossAux:G3}, cluster accuracy {outcome.ClusterAccuracy?.Accuracy:0.00} (in-sample {outcome.ClusterAccuracyInSample?.Accuracy:0.00}), {outcome.CountGroups} count groups, decoder {mse:G3} vs mean image {baseline:G3}, {outcome.Verdict}, {outcome.Seconds:0} s"));
            }
        }

        return new ReferenceCountingResult(settings, [.. observations], [.. transitionCounts], shownProbes ?? [], [.. outcomes], clock.Elapsed.TotalSeconds);
    }

    /// <summary>The scenes' pixels as features (<c>x/255 − 0.5</c>, channel-major), row-major.</summary>
    private static float[] Render(IReadOnlyList<CountingScene> scenes, int size)
    {
        var width = 3 * size * size;
        var features = new float[scenes.Count * width];
        Parallel.For(0, scenes.Count, i => CountingRenderer.Features(scenes[i], size, channelMajor: true).CopyTo(features.AsSpan(i * width, width)));
        return features;
    }
}
