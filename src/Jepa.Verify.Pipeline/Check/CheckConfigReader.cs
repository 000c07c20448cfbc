using System.Collections.Immutable;
using Jepa.Verify.Environments;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// Reads a <c>check</c> config (JSON; docs/formats.md). Every problem is one
/// <see cref="MdpFormatException"/> naming the file, line and column, what is wrong and the fix;
/// unknown keys are errors, so a typo never silently drops a threshold.
/// </summary>
public static class CheckConfigReader
{
    /// <summary>Configs are small; larger files are refused before parsing (1 MiB).</summary>
    public const long MaxBytes = 1 << 20;

    /// <summary>The most seeds one config may train.</summary>
    public const int MaxSeeds = 256;

    /// <summary>The built-in environments a config can name.</summary>
    public static readonly ImmutableArray<string> Builtins = ["counting", "gridworld", "counting-walk", "counting-images", "random"];

    private const string Expected = "a JSON object with \"environment\" (and optionally \"name\", \"aux\", \"model\", \"training\", \"seeds\", \"prove\", \"thresholds\", \"baseline\")";

    /// <summary>Reads and validates a config file.</summary>
    /// <exception cref="MdpFormatException">On any problem with the file.</exception>
    public static CheckConfig Read(string path)
    {
        TextFile.RequireFile(path);
        var length = new FileInfo(path).Length;
        if (length > MaxBytes)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"the config is {length} bytes, more than the {MaxBytes} a config may have", "give a check config (a small JSON object), not a data file");
        }

        var (root, locate) = JsonDocumentReader.Parse(path, TextFile.ReadBytes(path), Expected);
        var f = new JsonFields(locate);
        f.Expect(root, JsonKind.Object, "the top level", $"write {Expected}");
        f.AllowOnly(root, "the config", "name", "description", "environment", "aux", "missing", "max_pairs", "model", "training", "seeds", "prove", "thresholds", "baseline");
        if (root.Get("description") is { } description)
        {
            f.Text(description, "\"description\"");
        }

        var folder = System.IO.Path.GetDirectoryName(path) ?? "";
        var name = root.Get("name") is { } n ? f.Text(n, "\"name\"") : System.IO.Path.GetFileNameWithoutExtension(path);
        var environmentNode = f.Require(root, "environment", "the config", "add \"environment\": {\"file\": \"mdp.json\"} or {\"builtin\": \"counting\"}");
        string? auxFile = null;
        var tolerance = 0.0;
        if (root.Get("aux") is { } aux)
        {
            f.Expect(aux, JsonKind.Object, "\"aux\"", "write {\"file\": \"aux.csv\", \"tolerance\": 0}");
            f.AllowOnly(aux, "\"aux\"", "file", "tolerance");
            auxFile = aux.Get("file") is { } file ? Resolve(f, folder, file, "\"aux.file\"", mustExist: true) : null;
            tolerance = aux.Get("tolerance") is { } t ? f.Number(t, "\"aux.tolerance\"", 0, 1e12) : 0;
        }

        var (environment, build, environmentFile) = Environment(f, folder, environmentNode, auxFile);
        var missing = root.Get("missing") is { } m && f.Text(m, "\"missing\"", "relation", "sink") == "sink" ? MissingTransitions.Sink : MissingTransitions.Relation;
        var maxPairs = root.Get("max_pairs") is { } mp ? f.Integer(mp, "\"max_pairs\"", 1, long.MaxValue / 4) : DistinguishabilityRelation.DefaultMaxPairs;
        var external = External(f, folder, root);
        var training = Training(f, external is null ? root.Get("model") : null, root.Get("training"));
        var seeds = Seeds(f, root.Get("seeds"));
        var (solver, timeout) = Prove(f, root.Get("prove"));

        var thresholds = root.Get("thresholds");
        var lossTarget = training.LossTarget;
        var collapseTolerance = CollapseOptions.Default.Tolerance;
        int? classes = null;
        int? minLatents = null;
        long maxViolations = 0;
        ImmutableArray<CollapseMetricThreshold> metricThresholds = [];
        Requirement? requirement = null;
        if (thresholds is not null)
        {
            f.Expect(thresholds, JsonKind.Object, "\"thresholds\"", "write {\"loss_target\": 1e-4, \"tolerance\": 1e-3, \"classes\": 9, \"min_latents\": 9, \"max_violations\": 0}");
            f.AllowOnly(thresholds, "\"thresholds\"", ["loss_target", "tolerance", "classes", "min_latents", "max_violations", "require", "min_certified_fraction", .. CollapseMetricThreshold.Keys]);
            lossTarget = thresholds.Get("loss_target") is { } lt ? f.Number(lt, "\"thresholds.loss_target\"", 0, 1e6) : lossTarget;
            collapseTolerance = thresholds.Get("tolerance") is { } tt ? f.Number(tt, "\"thresholds.tolerance\"", 0, 1e6) : collapseTolerance;
            classes = thresholds.Get("classes") is { } c ? (int)f.Integer(c, "\"thresholds.classes\"", 1, int.MaxValue) : null;
            minLatents = thresholds.Get("min_latents") is { } ml ? (int)f.Integer(ml, "\"thresholds.min_latents\"", 1, int.MaxValue) : null;
            maxViolations = thresholds.Get("max_violations") is { } mv ? f.Integer(mv, "\"thresholds.max_violations\"", 0, long.MaxValue / 4) : 0;
            metricThresholds = [.. CollapseMetricThreshold.Keys.Where(k => thresholds.Get(k) is not null)
                .Select(k => new CollapseMetricThreshold(k, f.Number(thresholds.Get(k)!, $"\"thresholds.{k}\"", 0, 1e9)))];
            double? fraction = thresholds.Get("min_certified_fraction") is { } mf ? f.Number(mf, "\"thresholds.min_certified_fraction\"", 0, 1) : null;
            if (thresholds.Get("require") is { } rq)
            {
                var level = Requirement.ParseLevel(f.Text(rq, "\"thresholds.require\""))
                    ?? throw new MdpFormatException(f.At(rq), "\"thresholds.require\" must be \"certified\" or \"apart\"", "write \"require\": \"certified\" (every non-equivalent pair certified) or \"apart\" (none within the tolerance)");
                requirement = new Requirement(level, fraction);
            }
            else if (fraction is not null)
            {
                requirement = new Requirement(RequirementLevel.Apart, fraction);
            }
        }

        if (minLatents is not null && solver is null)
        {
            throw new MdpFormatException(f.At(thresholds!.Get("min_latents")!), "\"thresholds.min_latents\" needs the proof, but \"prove\" is false", "remove the threshold or enable \"prove\"");
        }

        var baseline = root.Get("baseline") is { } b ? Resolve(f, folder, b, "\"baseline\"") : null;
        (string, string?)[] inputs =
        [
            ("the config", path), (CheckConfig.EnvironmentFileRole, environmentFile), ("the aux file", auxFile),
            ("the latents", external?.Latents), ("the ONNX encoder", external?.Encoder), ("the ONNX transition model", external?.Transition), ("the ONNX aux head", external?.AuxHead),
        ];
        return new CheckConfig(path, name, environment, build, new BisimulationOptions(tolerance, missing, maxPairs),
            training with { LossTarget = lossTarget }, seeds, solver, timeout, collapseTolerance, classes, minLatents, maxViolations, baseline, external)
        {
            Inputs = [.. inputs.Where(i => i.Item2 is not null).Select(i => (i.Item1, i.Item2!))],
            MetricThresholds = metricThresholds,
            Requirement = requirement,
            Encoder = EncoderOf(f, external is null ? root.Get("model") : null),
            Stages = StagesOf(f, external is null ? root.Get("model") : null),
        };
    }

    /// <summary>
    /// <c>"model": {"onnx": {"encoder": …, "transition": …, "aux_head": …}}</c> or <c>"model": {"latents": "Z.npy"}</c>: a model
    /// trained elsewhere; null for a model to train (the other <c>"model"</c> keys). Training keys are refused beside it.
    /// </summary>
    private static ExternalModel? External(JsonFields f, string folder, JsonNode root)
    {
        if (root.Get("model") is not { Kind: JsonKind.Object } model || (model.Get("onnx") is null && model.Get("latents") is null))
        {
            return null;
        }

        f.AllowOnly(model, "\"model\" (a model trained elsewhere)", "onnx", "latents");
        foreach (var key in new[] { "training", "seeds" })
        {
            if (root.Get(key) is { } node)
            {
                throw new MdpFormatException(f.At(node), $"\"{key}\" is given, but \"model\" names a model trained elsewhere, which is assessed, not trained", $"remove \"{key}\"");
            }
        }

        var latents = model.Get("latents") is { } latentsNode ? Resolve(f, folder, latentsNode, "\"model.latents\"", mustExist: true) : null;
        if (model.Get("onnx") is not { } onnx)
        {
            return new ExternalModel("latents", latents, null, null, null);
        }

        f.Expect(onnx, JsonKind.Object, "\"model.onnx\"", "write {\"encoder\": \"encoder.onnx\", \"transition\": \"transition.onnx\", \"aux_head\": \"aux_head.onnx\"}");
        f.AllowOnly(onnx, "\"model.onnx\"", "encoder", "transition", "aux_head", "aux_bins", "aux_range");
        var encoder = latents is null ? f.Require(onnx, "encoder", "\"model.onnx\"", "add \"encoder\": \"encoder.onnx\"") : null;
        string? Optional(string key) => onnx.Get(key) is { } node ? Resolve(f, folder, node, $"\"model.onnx.{key}\"", mustExist: true) : null;
        if ((onnx.Get("transition") is null) != (onnx.Get("aux_head") is null))
        {
            throw new MdpFormatException(f.At(onnx), "\"model.onnx\" names only one head; the premise (both losses) and the certificate need \"transition\" and \"aux_head\" together", "add the other head, or remove this one");
        }

        Learning.Autograd.TwoHotBins? bins = null;
        if (onnx.Get("aux_bins") is { } binsNode)
        {
            var count = (int)f.Integer(binsNode, "\"model.onnx.aux_bins\"", 2, 1 << 16);
            var (min, max) = (-10.0, 10.0);
            if (onnx.Get("aux_range") is { } range)
            {
                f.Expect(range, JsonKind.Array, "\"model.onnx.aux_range\"", "write [-10, 10]");
                if (range.Items.Count != 2)
                {
                    throw new MdpFormatException(f.At(range), "\"model.onnx.aux_range\" needs two numbers", "write [-10, 10]");
                }

                (min, max) = (f.Number(range.Items[0], "\"model.onnx.aux_range\"", -1e6, 1e6), f.Number(range.Items[1], "\"model.onnx.aux_range\"", -1e6, 1e6));
            }

            bins = new Learning.Autograd.TwoHotBins(count, (float)min, (float)max);
            if (bins.Problem() is { } problem)
            {
                throw new MdpFormatException(f.At(binsNode), problem, "give at least 2 bins and aux_range [min, max] with min < max");
            }

            if (onnx.Get("aux_head") is null)
            {
                throw new MdpFormatException(f.At(binsNode), "\"model.onnx.aux_bins\" says how to read the aux head, but there is none", "add \"transition\" and \"aux_head\", or remove \"aux_bins\"");
            }
        }
        else if (onnx.Get("aux_range") is { } stray)
        {
            throw new MdpFormatException(f.At(stray), "\"model.onnx.aux_range\" goes with \"aux_bins\"", "add \"aux_bins\" or remove \"aux_range\"");
        }

        if (latents is not null)
        {
            // Latents from the user's own pipeline, with only the heads as ONNX.
            if (onnx.Get("encoder") is { } both)
            {
                throw new MdpFormatException(f.At(both), "\"model\" has both \"latents\" and \"onnx.encoder\"", "give the latents one way");
            }

            if (onnx.Get("transition") is null)
            {
                throw new MdpFormatException(f.At(onnx), "\"model.onnx\" beside \"latents\" names no heads", "add \"transition\" and \"aux_head\", or remove \"onnx\"");
            }

            return new ExternalModel("latents", latents, null, Optional("transition"), Optional("aux_head"), bins);
        }

        return new ExternalModel("onnx", null, Resolve(f, folder, encoder!, "\"model.onnx.encoder\"", mustExist: true), Optional("transition"), Optional("aux_head"), bins);
    }

    private static (string Description, Func<MdpModel> Build, string? File) Environment(JsonFields f, string folder, JsonNode node, string? auxFile)
    {
        f.Expect(node, JsonKind.Object, "\"environment\"", "write {\"file\": \"mdp.json\"} or {\"builtin\": \"counting\"}");
        if (node.Get("file") is { } fileNode)
        {
            f.AllowOnly(node, "a file environment", "file", "format");
            var file = Resolve(f, folder, fileNode, "\"environment.file\"", mustExist: true);
            var format = node.Get("format") is { } fm ? f.Text(fm, "\"environment.format\"", [.. MdpLoader.Formats]) : null;
            return ($"file {file}", () => MdpLoader.Load(file, format, auxFile), file);
        }

        var builtin = f.Text(f.Require(node, "builtin", "\"environment\"", "add \"file\": \"mdp.json\" or \"builtin\": \"counting\""), "\"environment.builtin\"", [.. Builtins]);
        Func<MdpModel> make;
        string description;
        switch (builtin)
        {
            case "counting":
            {
                f.AllowOnly(node, "the counting environment", "builtin", "target");
                var target = Int(f, node, "target", 4, 0, 8);
                (description, make) = ($"builtin counting (target {target})", () => ClassicMdps.Counting(target));
                break;
            }

            case "gridworld":
                f.AllowOnly(node, "the gridworld environment", "builtin");
                (description, make) = ("builtin gridworld", ClassicMdps.Gridworld);
                break;
            case "counting-walk":
            {
                f.AllowOnly(node, "the counting-walk environment", "builtin", "steps", "seed", "target");
                var steps = Int(f, node, "steps", 24, 0, 1_000_000);
                var seed = Int(f, node, "seed", 0, 0, int.MaxValue);
                var target = Int(f, node, "target", 4, 0, 8);
                (description, make) = ($"builtin counting-walk (steps {steps}, seed {seed}, target {target})", () => ClassicMdps.CountingWalk(steps, seed, target: target).Mdp);
                break;
            }

            case "random":
            {
                f.AllowOnly(node, "the random environment", "builtin", "states", "actions", "aux_values", "seed");
                var states = Int(f, node, "states", 20, 1, CollapseOptions.Default.MaxObservations);
                var actions = Int(f, node, "actions", 2, 1, 64);
                var auxValues = Int(f, node, "aux_values", 2, 1, 1_000_000);
                var seed = Int(f, node, "seed", 0, 0, int.MaxValue);
                (description, make) = ($"builtin random (states {states}, actions {actions}, aux values {auxValues}, seed {seed})", () => RandomMdps.Complete(states, actions, auxValues, seed));
                break;
            }

            default:
                (description, make) = CountingImages(f, node);
                break;
        }

        return (description, auxFile is null ? make : () => AuxFile.Read(auxFile).ApplyTo(make()), null);
    }

    private static (string Description, Func<MdpModel> Build) CountingImages(JsonFields f, JsonNode node)
    {
        f.AllowOnly(node, "the counting-images environment", "builtin", "families", "layouts", "size", "target", "reward", "seed", "features", "episodes", "steps");
        var d = new CountingOptions();
        var options = new CountingOptions(
            Int(f, node, "families", d.Families, 1, CountingOptions.MaxFamilies),
            Int(f, node, "layouts", d.Layouts, 1, CountingOptions.MaxLayouts),
            Int(f, node, "size", d.Size, CountingRenderer.MinSize, CountingRenderer.MaxSize),
            Int(f, node, "target", d.Target, 0, CountingRenderer.MaxCount),
            node.Get("reward") is { } r && f.Text(r, "\"environment.reward\"", "sparse", "dense") == "dense" ? CountingReward.Dense : CountingReward.Sparse,
            (ulong)Int(f, node, "seed", 0, 0, int.MaxValue),
            node.Get("features") is not { } features || f.Boolean(features, "\"environment.features\""),
            ChannelMajor: true); // [3, size, size] images, as PyTorch lays them out: the convolutional encoder reads them
        if (node.Get("episodes") is null && node.Get("steps") is null)
        {
            return ($"builtin counting-images ({options.Families} families, {options.Layouts} layouts, {options.Size} px, target {options.Target})", () => CountingEnvironment.Exact(options));
        }

        var episodes = Int(f, node, "episodes", 20, 1, CountingEnvironment.MaxDatasetSteps);
        var steps = Int(f, node, "steps", 30, 1, CountingEnvironment.MaxDatasetSteps);
        if (CountingEnvironment.DatasetProblem(episodes, steps) is { } problem)
        {
            throw new MdpFormatException(f.At(node), $"\"environment\": {problem}", "use fewer episodes or steps");
        }

        return ($"builtin counting-images dataset ({options.Families} families, {episodes} episodes × {steps} steps, {options.Size} px)", () => CountingEnvironment.Dataset(options, episodes, steps));
    }

    private static PJepaConfig Training(JsonFields f, JsonNode? model, JsonNode? training)
    {
        var c = new PJepaConfig();
        if (model is not null)
        {
            f.Expect(model, JsonKind.Object, "\"model\"", "write {\"latent_dim\": 8, \"hidden_dim\": 64}");
            f.AllowOnly(model, "\"model\"", "latent_dim", "hidden_dim", "encoder_hidden_layers", "activation", "layer_norm", "encoder", "stages");
            c = c with
            {
                LatentDim = Int(f, model, "latent_dim", c.LatentDim, 1, PJepaConfig.MaxWidth, "model."),
                HiddenDim = Int(f, model, "hidden_dim", c.HiddenDim, 1, PJepaConfig.MaxWidth, "model."),
                EncoderHiddenLayers = Int(f, model, "encoder_hidden_layers", c.EncoderHiddenLayers, 0, 16, "model."),
                Activation = model.Get("activation") is { } a ? Enum.Parse<ActivationKind>(f.Text(a, "\"model.activation\"", "relu", "mish", "tanh"), ignoreCase: true) : c.Activation,
                LayerNorm = model.Get("layer_norm") is { } ln ? f.Boolean(ln, "\"model.layer_norm\"") : c.LayerNorm,
            };
        }

        if (training is not null)
        {
            f.Expect(training, JsonKind.Object, "\"training\"", "write {\"mode\": \"joint\", \"steps\": 3000}");
            f.AllowOnly(training, "\"training\"", "mode", "steps", "learning_rate", "cosine", "batch_size", "aux_weight", "weight_decay", "grad_clip", "stop_grad", "horizon");
            c = c with
            {
                Mode = training.Get("mode") is { } m ? TrainingModes.Parse(f.Text(m, "\"training.mode\"", [.. TrainingModes.Names])) : c.Mode,
                Steps = Int(f, training, "steps", c.Steps, 0, 10_000_000, "training."),
                LearningRate = (float)Num(f, training, "learning_rate", c.LearningRate, 1e-9, 10),
                CosineSchedule = training.Get("cosine") is { } cs ? f.Boolean(cs, "\"training.cosine\"") : c.CosineSchedule,
                BatchSize = Int(f, training, "batch_size", c.BatchSize, 1, 1_000_000, "training."),
                AuxWeight = (float)Num(f, training, "aux_weight", c.AuxWeight, 0, 1e6),
                WeightDecay = (float)Num(f, training, "weight_decay", c.WeightDecay, 0, 1),
                GradClipNorm = (float)Num(f, training, "grad_clip", c.GradClipNorm, 0, 1e6),
                StopGradTarget = training.Get("stop_grad") is { } sg && f.Boolean(sg, "\"training.stop_grad\""),
                Horizon = Int(f, training, "horizon", c.Horizon, 1, 64, "training."),
            };
        }

        return c;
    }

    /// <summary><c>model.encoder</c>: auto (the default), mlp or conv.</summary>
    private static EncoderChoice EncoderOf(JsonFields f, JsonNode? model) =>
        model?.Get("encoder") is { } e ? Encoders.Parse(f.Text(e, "\"model.encoder\"", Encoders.Names))!.Value : EncoderChoice.Auto;

    /// <summary><c>model.stages</c>: the convolutional encoder's channel counts, e.g. [16, 32, 64].</summary>
    private static ImmutableArray<int>? StagesOf(JsonFields f, JsonNode? model)
    {
        if (model?.Get("stages") is not { } node)
        {
            return null;
        }

        const string Fix = "write the stem's and each residual stage's channel count, e.g. [16, 32, 64]";
        f.Expect(node, JsonKind.Array, "\"model.stages\"", Fix);
        var widths = node.Items.Select(item => (int)f.Integer(item, "\"model.stages\"", 1, 4096)).ToImmutableArray();
        return widths.IsEmpty ? throw new MdpFormatException(f.At(node), "\"model.stages\" is empty", Fix) : widths;
    }

    private static ImmutableArray<ulong> Seeds(JsonFields f, JsonNode? node)
    {
        if (node is null)
        {
            return [0];
        }

        f.Expect(node, JsonKind.Array, "\"seeds\"", "write a list of seeds, e.g. [0, 1, 2]");
        if (node.Items.Count is 0 or > MaxSeeds)
        {
            throw new MdpFormatException(f.At(node), $"\"seeds\" has {node.Items.Count} entries", $"give 1 to {MaxSeeds} seeds");
        }

        var seeds = node.Items.Select(s => (ulong)f.Integer(s, "a seed", 0, 1L << 53)).ToImmutableArray();
        if (seeds.Distinct().Count() != seeds.Length)
        {
            throw new MdpFormatException(f.At(node), "\"seeds\" repeats a seed", "list each seed once");
        }

        return seeds;
    }

    private static (string? Solver, TimeSpan Timeout) Prove(JsonFields f, JsonNode? node)
    {
        var timeout = TimeSpan.FromSeconds(60);
        if (node is null || node.Kind == JsonKind.True)
        {
            return ("z3", timeout);
        }

        if (node.Kind == JsonKind.False)
        {
            return (null, timeout);
        }

        f.Expect(node, JsonKind.Object, "\"prove\"", "write true, false or {\"solver\": \"z3\", \"timeout_seconds\": 60}");
        f.AllowOnly(node, "\"prove\"", "solver", "timeout_seconds");
        var solver = node.Get("solver") is { } s ? f.Text(s, "\"prove.solver\"", [.. SolverPanel.Choices]) : "z3";
        var seconds = node.Get("timeout_seconds") is { } t ? f.Number(t, "\"prove.timeout_seconds\"", 0.001, 86_400) : timeout.TotalSeconds;
        return (solver, TimeSpan.FromSeconds(seconds));
    }

    private static int Int(JsonFields f, JsonNode obj, string key, int fallback, int min, int max, string prefix = "environment.") =>
        obj.Get(key) is { } v ? (int)f.Integer(v, $"\"{prefix}{key}\"", min, max) : fallback;

    private static double Num(JsonFields f, JsonNode obj, string key, double fallback, double min, double max) =>
        obj.Get(key) is { } v ? f.Number(v, $"\"training.{key}\"", min, max) : fallback;

    private static string Resolve(JsonFields f, string folder, JsonNode node, string what, bool mustExist = false)
    {
        var text = f.Text(node, what);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new MdpFormatException(f.At(node), $"{what} holds a NUL character", "write a plain path");
        }

        var path = System.IO.Path.IsPathRooted(text) ? text : System.IO.Path.Combine(folder, text);
        if (mustExist && !File.Exists(path))
        {
            throw new MdpFormatException(f.At(node), $"{what} names {path}, which {(Directory.Exists(path) ? "is a directory" : "does not exist")}", "give a path relative to the config's folder");
        }

        return path;
    }
}
