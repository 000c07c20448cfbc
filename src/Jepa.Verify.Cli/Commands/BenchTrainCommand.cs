using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify bench train</c>: training steps per second and memory, on the counting MDP and on 64×64×3 inputs (MLP or convolutional encoder).</summary>
internal static class BenchTrainCommand
{
    /// <summary>A 64×64 RGB image, flattened.</summary>
    public const int ImageFeatures = 64 * 64 * 3;

    public static Command Create(CommandIo io)
    {
        var workload = new Option<string>("--case") { Description = "counting: the 9-observation MDP, one-hot inputs, the default model; image: 12,288 inputs, encoder 12288→256→256→32, batch 256; conv: 3×64×64 images, the default convolutional encoder (stages 16,32,64) with --preset paper's heads and losses", DefaultValueFactory = _ => "image", HelpName = "counting|image|conv" };
        workload.AcceptOnlyFromAmong("counting", "image", "conv");
        var batch = new Option<int>("--batch-size") { Description = "Transitions per step for the image and conv cases", DefaultValueFactory = _ => 256, HelpName = "B" };
        var steps = new Option<int>("--steps") { Description = "Timed training steps (default: 2000 for counting, 20 for image)", HelpName = "N" };
        var threads = new Option<int>("--threads") { Description = "Threads for the matrix products (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "T" };
        var observations = new Option<int>("--observations") { Description = "Synthetic observations for the image case", DefaultValueFactory = _ => 1024, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("train", "Time P-JEPA training steps (joint loss: forward, backward and Adam update; full-data evaluations excluded). Exit 0, or 2 on bad options.");
        foreach (var o in new Option[] { workload, steps, threads, observations, batch, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var name = r.GetValue(workload)!;
            var image = name != "counting";
            var n = r.GetValue(steps) is var s and > 0 ? s : image ? 20 : 2000;
            var t = r.GetValue(threads);
            var obs = r.GetValue(observations);
            if (t < 1 || obs < 2 || r.GetValue(steps) < 0 || r.GetValue(batch) < 1)
            {
                throw new UsageException("need --threads >= 1, --observations >= 2, --batch-size >= 1 and --steps >= 0");
            }

            Parallelism.MaxThreads = t;
            var (data, config) = image ? Image(obs) : Counting();
            if (name == "conv")
            {
                config = PJepaConfig.Paper(config) with { ImageEncoder = ImageEncoderShape.Default(3, 64, 64) };
            }

            if (image)
            {
                config = config with { BatchSize = r.GetValue(batch) };
            }

            config = config with { Steps = n, EvalEvery = n, LossTarget = 0 };

            // One short run first, so the JIT has compiled the kernels before the timed run.
            PJepaTrainer.Train(data, config with { Steps = 2, EvalEvery = 2 });
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var result = PJepaTrainer.Train(data, config);
            var allocatedPerStep = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)n;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var stepsPerSecond = n / result.StepSeconds;
            if (r.GetValue(json))
            {
                io.Out.Write(JsonText.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("benchmark", "train");
                    w.WriteString("case", name);
                    w.WriteNumber("features", data.FeatureDim);
                    w.WriteNumber("hidden_dim", config.HiddenDim);
                    w.WriteNumber("latent_dim", config.LatentDim);
                    w.WriteNumber("batch_size", Math.Min(config.BatchSize, data.TransitionCount));
                    w.WriteNumber("steps", n);
                    w.WriteNumber("threads", t);
                    w.WriteNumber("steps_per_second", Math.Round(stepsPerSecond, 2));
                    w.WriteNumber("ms_per_step", Math.Round(1000 / stepsPerSecond, 3));
                    w.WriteNumber("allocated_bytes_per_step", Math.Round(allocatedPerStep));
                    w.WriteNumber("peak_working_set_bytes", peak);
                    w.WriteNumber("processors", Environment.ProcessorCount);
                    w.WriteEndObject();
                }));
            }
            else
            {
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"train ({name}): {data.FeatureDim} features, encoder {EncoderText(data, config)}, batch {Math.Min(config.BatchSize, data.TransitionCount)} transitions, joint loss\n" +
                    $"  {n} steps in {result.StepSeconds:F2} s: {stepsPerSecond:F2} steps/s ({1000 / stepsPerSecond:F2} ms/step) on {t} thread(s)\n" +
                    $"  memory: {allocatedPerStep / 1e6:F1} MB allocated per step, process peak working set {peak / 1e6:F0} MB\n" +
                    $"  machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string EncoderText(TrainingData data, PJepaConfig config) => config.ImageEncoder is { } conv
        ? $"convolutional {conv.Channels}×{conv.Height}×{conv.Width}, stages {string.Join(",", conv.Stages)} → {config.LatentDim}, heads of {config.HiddenDim} (--preset paper)"
        : string.Join("→", [data.FeatureDim, .. Enumerable.Repeat(config.HiddenDim, config.EncoderHiddenLayers), config.LatentDim]);

    private static (TrainingData, PJepaConfig) Counting() => (TrainingData.FromMdp(ClassicMdps.Counting()), new PJepaConfig(Horizon: 1));

    /// <summary>Random pixels in [−0.5, 0.5] for each observation, 2 actions to random successors, a 0/1 aux.</summary>
    private static (TrainingData, PJepaConfig) Image(int observations)
    {
        var random = new SeededRandom(1);
        var features = new float[observations * ImageFeatures];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = random.NextFloat(-0.5f, 0.5f);
        }

        var transitions = new List<Transition>();
        for (var o = 0; o < observations; o++)
        {
            for (var a = 0; a < 2; a++)
            {
                transitions.Add(new Transition(o, a, random.NextInt(observations)));
            }
        }

        var aux = Enumerable.Range(0, observations).Select(_ => (float)random.NextInt(2)).ToArray();
        return (TrainingData.FromArrays(observations, features, 2, transitions, aux),
            new PJepaConfig(LatentDim: 32, HiddenDim: 256, EncoderHiddenLayers: 2, BatchSize: 256, Horizon: 1));
    }
}
