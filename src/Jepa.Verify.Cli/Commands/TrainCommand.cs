using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Jepa.Verify.Cli.Reports;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Pipeline;
using Spectre.Console;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify train FILE --mode …</c>: trains P-JEPA and checks the latents against the bisimulation.</summary>
internal static class TrainCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var defaults = new PJepaConfig();
        var mode = new Option<string>("--mode") { Description = "What to train: joint (the theorem's model), aux-only, dyn-only, random-aux or separate", DefaultValueFactory = _ => "joint", HelpName = "mode" };
        mode.AcceptOnlyFromAmong([.. TrainingModes.Names]);
        var seed = new Option<ulong>("--seed") { Description = "Seeds initialisation, batches and the random aux", DefaultValueFactory = _ => defaults.Seed, HelpName = "S" };
        var steps = new Option<int>("--steps") { Description = "Step budget (separate spends it twice)", DefaultValueFactory = _ => defaults.Steps, HelpName = "N" };
        var latentDim = new Option<int>("--latent-dim") { Description = "Latent dimension", DefaultValueFactory = _ => defaults.LatentDim, HelpName = "D" };
        var hiddenDim = new Option<int>("--hidden-dim") { Description = "Width of the hidden layers", DefaultValueFactory = _ => defaults.HiddenDim, HelpName = "H" };
        var activation = new Option<string>("--activation") { Description = "Non-linearity", DefaultValueFactory = _ => "relu", HelpName = "relu|mish|tanh" };
        activation.AcceptOnlyFromAmong("relu", "mish", "tanh");
        var layerNorm = new Option<bool>("--layer-norm") { Description = "Layer-normalise the hidden layers" };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => defaults.LearningRate, HelpName = "rate" };
        var cosine = new Option<bool>("--cosine") { Description = "Anneal the learning rate to 0 by a half cosine over the budget" };
        var weightDecay = new Option<float>("--weight-decay") { Description = "Adam weight decay (L2)", DefaultValueFactory = _ => defaults.WeightDecay, HelpName = "λ" };
        var batch = new Option<int>("--batch-size") { Description = "Transitions per minibatch", DefaultValueFactory = _ => defaults.BatchSize, HelpName = "B" };
        var auxWeight = new Option<float>("--aux-weight") { Description = "c_p in L = L_dyn + c_p·L_p", DefaultValueFactory = _ => defaults.AuxWeight, HelpName = "c" };
        var lossTarget = new Option<double>("--loss-target") { Description = "Near-zero: training stops, and the verdict's premise holds, when L_dyn and L_p are both below this", DefaultValueFactory = _ => defaults.LossTarget, HelpName = "ε" };
        var tolerance = new Option<double>("--tolerance") { Description = "Latents closer than this × the RMS latent norm count as collapsed", DefaultValueFactory = _ => CollapseOptions.Default.Tolerance, HelpName = "t" };
        var stopGrad = new Option<bool>("--stop-grad") { Description = "Detach E(o') in L_dyn (for comparison; the theorem's model has no stop-gradient)" };
        var gradClip = new Option<float>("--grad-clip") { Description = "Clip the gradient norm to this (0 = off)", DefaultValueFactory = _ => 0f, HelpName = "norm" };
        var save = new Option<string?>("--save") { Description = "Write the trained model to this file (versioned binary, written atomically)", HelpName = "MODEL" }.NonEmpty();
        var saveOnnx = new Option<string?>("--save-onnx") { Description = "Write the trained model as encoder.onnx, transition.onnx and aux_head.onnx (the assess contract) into this directory", HelpName = "DIR" }.NonEmpty();
        var plot = new Option<string?>("--plot") { Description = "Write the loss curves, the latents' PCA coloured by bisimulation class and the class-sorted distance heatmap (PNG and SVG) into this directory", HelpName = "DIR" }.NonEmpty();
        var penalty = new Option<float>("--lipschitz-penalty") { Description = "Weight of the heads' spectral-norm products in the joint loss (keeps L_T and L_P, which the certificate divides by, in check; 0 = the paper's plain model)", DefaultValueFactory = _ => defaults.LipschitzPenalty, HelpName = "λ" };
        var stepCap = new Option<int>("--step-cap") { Description = "Joint training goes past --steps while it certifies more pairs, up to this many steps (0 = 8 × --steps)", DefaultValueFactory = _ => defaults.StepCap, HelpName = "N" };
        var horizon = new Option<int>("--horizon") { Description = "Joint training also rolls the model out open-loop, along seeded random walks of up to this many observed transitions and along the shortest words that tell pairs apart, and holds every step to the encoded observation and, from the second, to its aux value: the certificate's rollouts are what it trains (1 = one-step losses only, the paper's model; the losses are zero exactly when the one-step losses are, so the theorem's premise is unchanged)", DefaultValueFactory = _ => defaults.Horizon, HelpName = "K" };
        var encoder = new Option<string>("--encoder") { Description = "auto: the convolutional encoder (7×7 stride-2 stem, max pooling, residual stages, average pooling) when the MDP's \"feature_shape\" says its features are [C, H, W] images ('env … --channel-major' and the Python bridge write it), else the MLP; mlp or conv to choose", DefaultValueFactory = _ => "auto", HelpName = "auto|mlp|conv" };
        encoder.AcceptOnlyFromAmong(Encoders.Names);
        var image = new Option<string?>("--image") { Description = "Read each observation's features as a CxHxW image, channel-major, with the convolutional encoder, for an MDP without \"feature_shape\"", HelpName = "CxHxW" };
        var stages = new Option<string>("--stages") { Description = "The convolutional encoder's channels of the stem and of each residual stage", DefaultValueFactory = _ => string.Join(",", ImageEncoderShape.DefaultStages), HelpName = "W1,W2,…" };
        var auxLoss = new Option<string>("--aux-loss") { Description = "How the aux head is trained: mse (regression; certifiable) or two-hot (logits over bins of symlog(aux) with soft cross-entropy, the reference code's; scalar aux only; certified in symlog space; L_p reported as the KL divergence)", DefaultValueFactory = _ => "mse", HelpName = "mse|two-hot" };
        auxLoss.AcceptOnlyFromAmong("mse", "two-hot");
        var auxBins = new Option<int>("--aux-bins") { Description = "With --aux-loss two-hot: the number of bins", DefaultValueFactory = _ => new TwoHotBins().Count, HelpName = "N" };
        var auxRange = new Option<string>("--aux-range") { Description = "With --aux-loss two-hot: the bins' range in symlog units", DefaultValueFactory = _ => "-10,10", HelpName = "MIN,MAX" };
        var preset = new Option<string>("--preset") { Description = "paper: the reference code's losses and optimiser (two-hot aux head of 2 × 512 with LayerNorm and Mish, transition 512 wide, latent 256, 2·consistency + 2·aux, Adam 3e-4 with the encoder at 0.3×, gradient clip 200); --batch-size and --steps stay yours, the other options it sets cannot be given with it", DefaultValueFactory = _ => "none", HelpName = "none|paper" };
        preset.AcceptOnlyFromAmong("none", "paper");
        var pairs = new Option<bool>("--pairs") { Description = "List every non-equivalent pair with its latent distance and certified bound" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar (it is also off when output is redirected)" };
        var command = new Command("train", "Train P-JEPA on the MDP's transitions and check that observations the bisimulation separates get distinct latents. Joint training stops once certified: every non-equivalent pair has a positive lower bound forced by the residuals. Exit 0 certified, 1 collapsed (a non-equivalent pair within the tolerance), 2 bad input, 3 apart but not certified or training diverged; the ablation modes exit 0.");
        input.AddTo(command, analysis: true);
        Option[] options = [mode, seed, steps, latentDim, hiddenDim, activation, layerNorm, encoder, image, stages, lr, cosine, weightDecay, batch, auxWeight, auxLoss, auxBins, auxRange, preset, lossTarget, tolerance, stopGrad, gradClip, penalty, stepCap, horizon, pairs, save, saveOnnx, plot, json, quiet];
        foreach (var o in options)
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var config = new PJepaConfig(
                Mode: TrainingModes.Parse(r.GetValue(mode)!),
                Seed: r.GetValue(seed),
                Steps: r.GetValue(steps),
                LatentDim: r.GetValue(latentDim),
                HiddenDim: r.GetValue(hiddenDim),
                Activation: Enum.Parse<ActivationKind>(r.GetValue(activation)!, ignoreCase: true),
                LayerNorm: r.GetValue(layerNorm),
                AuxWeight: r.GetValue(auxWeight),
                LearningRate: r.GetValue(lr),
                CosineSchedule: r.GetValue(cosine),
                WeightDecay: r.GetValue(weightDecay),
                BatchSize: r.GetValue(batch),
                LossTarget: r.GetValue(lossTarget),
                StopGradTarget: r.GetValue(stopGrad),
                GradClipNorm: r.GetValue(gradClip),
                LipschitzPenalty: r.GetValue(penalty),
                StepCap: r.GetValue(stepCap),
                Horizon: r.GetValue(horizon),
                ImageEncoder: r.GetValue(image) is { } imageText ? ParseImage(imageText, r.GetValue(stages)!) : null,
                TwoHot: r.GetValue(auxLoss) == "two-hot" ? ParseBins(r.GetValue(auxBins), r.GetValue(auxRange)!) : null);
            if (r.GetValue(preset) == "paper")
            {
                // --batch-size and --steps stay the user's: they are what a CPU budget scales.
                Option[] setByPreset = [latentDim, hiddenDim, activation, layerNorm, lr, cosine, weightDecay, auxWeight, auxLoss, stopGrad, gradClip, penalty, horizon];
                if (setByPreset.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } clash)
                {
                    throw new UsageException($"--preset paper sets {clash.Name} itself; drop one of them");
                }

                config = PJepaConfig.Paper(config) with { TwoHot = ParseBins(r.GetValue(auxBins), r.GetValue(auxRange)!), BatchSize = r.GetValue(batch) };
            }
            else if (config.TwoHot is null && (r.GetResult(auxBins) is { Implicit: false } || r.GetResult(auxRange) is { Implicit: false }))
            {
                throw new UsageException("--aux-bins and --aux-range shape a two-hot aux head; add --aux-loss two-hot (or --preset paper)");
            }

            if (config.Problem() is { } problem)
            {
                throw new UsageException(problem);
            }

            if (r.GetResult(horizon) is { Implicit: false } && config.Horizon > 1 && config.EffectiveHorizon == 1)
            {
                throw new UsageException(config.TwoHot is not null
                    ? "--horizon rolls out a regression aux head; a two-hot head trains one-step losses (drop --horizon, or use --aux-loss mse)"
                    : $"--horizon applies to joint training; --mode {TrainingModes.Name(config.Mode)} trains one-step losses (drop --horizon)");
            }

            if (config.TwoHot is not null && r.GetValue(saveOnnx) is not null)
            {
                throw new UsageException("--save-onnx needs an aux head that outputs the aux (assess reads aux_head.onnx as aux values), not two-hot logits; use --save, or --aux-loss mse");
            }

            var collapse = InputOptions.Collapse(r.GetValue(tolerance)) with { ListPairs = r.GetValue(pairs) };

            // Every output is checked before the MDP is read or a step is trained: a bad path costs nothing.
            OutputPath.RefuseOverwrites(input.Files(r), [("--save", r.GetValue(save))]);
            OutputPath.EnsureWritable("--save", r.GetValue(save));
            var plotDir = r.GetValue(plot);
            if (plotDir is not null)
            {
                OutputPath.EnsureDirectory("--plot", plotDir);
            }

            var onnxDir = r.GetValue(saveOnnx);
            if (onnxDir is not null)
            {
                OutputPath.EnsureDirectory("--save-onnx", onnxDir);
            }

            var showProgress = !r.GetValue(quiet) && ReferenceEquals(io.Error, Console.Error) && !Console.IsErrorRedirected && !Console.IsOutputRedirected;
            var choice = Encoders.Parse(r.GetValue(encoder)!)!.Value;
            var stageWidths = ParseStages(r.GetValue(stages)!);
            if (choice == EncoderChoice.Mlp && config.ImageEncoder is not null)
            {
                throw new UsageException("--image reads the features with the convolutional encoder; drop it or --encoder mlp");
            }

            var mdp = input.Load(r);
            if (config.ImageEncoder is { } shape)
            {
                var features = mdp.Features.FirstOrDefault(f => !f.IsDefault);
                if (features.IsDefault || features.Length != shape.FeatureDim)
                {
                    throw new UsageException(features.IsDefault
                        ? $"--image needs observations with \"features\"; {mdp.Source} has none"
                        : $"--image {shape.Channels}x{shape.Height}x{shape.Width} reads {shape.FeatureDim} features, but the observations of {mdp.Source} have {features.Length}");
                }
            }

            config = Encoders.Resolve(config, mdp, choice, stageWidths);
            if (config.ImageEncoder is not null && onnxDir is not null)
            {
                throw new UsageException(r.GetResult(image) is null && choice == EncoderChoice.Auto
                    ? $"--save-onnx cannot export the convolutional encoder yet, which {mdp.Source}'s \"feature_shape\" chose; add --encoder mlp, or use --save for the model file"
                    : "--save-onnx cannot export the convolutional encoder yet (only MLP encoders); use --save for the model file");
            }

            if (config.TwoHot is not null && config.Mode != TrainingMode.RandomAux && mdp.Aux.FirstOrDefault(v => !v.IsMissing) is { Length: not 1 } aux)
            {
                throw new UsageException($"a two-hot aux head predicts a scalar aux, but {mdp.Source}'s aux values have {aux.Length} components; use --aux-loss mse");
            }

            var run = Run(mdp, input.Options(r), config, collapse, showProgress);
            if (r.GetValue(save) is { } path)
            {
                ModelFile.Save(run.Result.Model, path);
            }

            var plots = plotDir is null ? [] : WritePlots(run, plotDir);
            var onnx = onnxDir is null ? [] : Pipeline.Onnx.OnnxExport.Write(run.Result.Model, onnxDir);

            if (r.GetValue(json))
            {
                io.Out.Write(Json(run));
            }
            else
            {
                io.WriteText(Text(run, r.GetValue(save)));
                if (onnx.Count > 0)
                {
                    io.WriteText($"ONNX: {string.Join(", ", onnx.Select(Path.GetFileName))} written to {onnxDir}{Path.DirectorySeparatorChar} (check them with 'jepa-verify assess')\n");
                }

                if (plots.Count > 0)
                {
                    io.WriteText($"figures: {string.Join(", ", plots)} written to {plotDir}{Path.DirectorySeparatorChar}\n");
                }
            }

            return run.ExitCode;
        }));
        return command;
    }

    /// <summary>The <c>--image CxHxW</c> and <c>--stages</c> options as an encoder shape.</summary>
    private static ImageEncoderShape ParseImage(string image, string stages)
    {
        var dims = Integers(image.Split('x', 'X', '×'));
        if (dims is not { Length: 3 })
        {
            throw new UsageException($"--image must be CxHxW, e.g. 3x64x64, got '{image}'");
        }

        return new ImageEncoderShape(dims[0], dims[1], dims[2], [.. ParseStages(stages)]);
    }

    /// <summary>The <c>--stages</c> option's channel counts.</summary>
    private static int[] ParseStages(string stages) => Integers(stages.Split(',', StringSplitOptions.TrimEntries))
        ?? throw new UsageException($"--stages must be channel counts separated by commas, e.g. 16,32,64, got '{stages}'");

    private static int[]? Integers(string[] parts)
    {
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>The <c>--aux-bins</c> and <c>--aux-range MIN,MAX</c> options as two-hot bins.</summary>
    internal static TwoHotBins ParseBins(int count, string range)
    {
        var parts = range.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max))
        {
            throw new UsageException($"--aux-range must be MIN,MAX in symlog units, e.g. -10,10, got '{range}'");
        }

        var bins = new TwoHotBins(count, min, max);
        return bins.Problem() is { } problem ? throw new UsageException($"--aux-bins/--aux-range: {problem}") : bins;
    }

    /// <summary>The library's <see cref="TrainingRun.Of"/>, with a progress bar when asked.</summary>
    private static TrainingRun Run(MdpModel mdp, Mdp.Bisimulation.BisimulationOptions options, PJepaConfig config, CollapseOptions collapse, bool showProgress) =>
        showProgress
            ? WithProgressBar(config, progress => TrainingRun.Of(mdp, options, config, collapse, progress))
            : TrainingRun.Of(mdp, options, config, collapse);

    /// <summary>
    /// The figures of <c>train --plot</c>: loss curves, the latents' first two principal axes coloured by
    /// bisimulation class, and the class-sorted distance heatmap. On finite data (a relation, no partition) every
    /// observation is its own group.
    /// </summary>
    /// <returns>The file names written.</returns>
    public static IReadOnlyList<string> WritePlots(TrainingRun run, string directory)
    {
        var (result, mdp) = (run.Result, run.Analysis.Mdp);
        var mode = TrainingModes.Name(result.Config.Mode);
        int[] group = run.Analysis.Result.Partition is { } partition ? [.. partition.ClassOf] : [.. Enumerable.Range(0, mdp.ObservationCount)];
        var caption = run.Analysis.Result.Partition is null ? "observation" : "class";
        int[] order = [.. Enumerable.Range(0, group.Length).OrderBy(o => group[o]).ThenBy(o => o)];
        var pca = LatentPca.Project(result.Latents.AsSpan(), result.LatentDim).Coordinates;
        var names = new List<string>();
        names.AddRange(Figures.Save(Figures.LossCurves($"{Path.GetFileName(mdp.Source)}: {mode} training losses", result.History, result.Config.LossTarget), directory, "losses"));
        names.AddRange(Figures.Save(Figures.Scatter($"{Path.GetFileName(mdp.Source)}: latents (PCA), coloured by {caption}", pca, group, g => $"{caption} {g}", ("principal axis 1", "principal axis 2")), directory, "pca"));
        names.AddRange(Figures.Save(Figures.Heatmap($"{Path.GetFileName(mdp.Source)}: latent distances, sorted by {caption}", result.Latents, result.LatentDim, order, group, caption, run.Report.Scale), directory, "distances"));
        return names;
    }

    private static TrainingRun WithProgressBar(PJepaConfig config, Func<IProgress<TrainingProgress>, TrainingRun> train)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        TrainingRun? run = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var total = config.Mode == TrainingMode.Separate ? 2 * config.Steps : config.Steps;
                var task = ctx.AddTask($"training {TrainingModes.Name(config.Mode)}", maxValue: Math.Max(1, total));
                var progress = new SynchronousProgress(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"L_dyn {p.LossDyn:E2}  L_p {p.LossAux:E2}");
                    ctx.Refresh();
                });
                run = train(progress);
                task.Value = task.MaxValue;
            });
        return run!;
    }

    private static string Verdict(TrainingRun run)
    {
        var result = run.Result;
        if (result.Status == TrainingStatus.Diverged)
        {
            return $"inconclusive: training diverged ({result.Message}); there are no trained latents to judge";
        }

        var premise = result.BothLossesBelowTarget
            ? $"both mean losses are below {Num(result.Config.LossTarget)}"
            : $"the mean losses did not reach {Num(result.Config.LossTarget)}";
        return CollapseOutput.Verdict(run.Separation, premise);
    }

    private static string Text(TrainingRun run, string? savedTo)
    {
        var (result, report, mdp) = (run.Result, run.Report, run.Analysis.Mdp);
        var sb = new StringBuilder();
        sb.AppendLine(run.Analysis.Summary());
        var c = result.Config;
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"mode {TrainingModes.Name(c.Mode)}, seed {c.Seed}: {result.Steps} steps ({TrainingRunJson.StatusName(result)}{(result.StepsTrained > result.Steps ? $"; the best of {result.StepsTrained} trained" : "")}), {(c.ImageEncoder is { } conv ? $"convolutional encoder on {conv.Channels}x{conv.Height}x{conv.Width} images, " : "")}latent {c.LatentDim}, hidden {c.HiddenDim}, lr {c.LearningRate}, batch {c.BatchSize}{(c.EffectiveHorizon > 1 ? $", horizon {c.EffectiveHorizon}" : "")}"));
        var auxLossName = result.Model.Shape.TwoHot is null ? "L_p" : "L_p (two-hot KL)";
        sb.AppendLine($"  L_dyn {Num(result.LossDyn)}   {auxLossName} {Num(result.LossAux)}   (target {Num(c.LossTarget)})");
        if (result.Status == TrainingStatus.Diverged)
        {
            sb.AppendLine(Verdict(run));
            return sb.ToString();
        }

        CollapseOutput.Text(sb, report, mdp);
        CollapseOutput.Certificate(sb, run.Separation, run.Analysis);
        sb.AppendLine(Verdict(run));
        if (savedTo is not null)
        {
            sb.AppendLine($"model written to {savedTo}");
        }

        return sb.ToString();
    }

    private static string Json(TrainingRun run) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        TrainingRunJson.WriteFields(w, run, history: true);
        w.WriteEndObject();
    });

    private static string Num(double? value) => CollapseOutput.Num(value);

    /// <summary>An <see cref="IProgress{T}"/> that reports on the training thread (no posting to a context).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
