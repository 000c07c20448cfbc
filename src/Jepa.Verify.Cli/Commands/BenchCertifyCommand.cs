using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Cli.Reports;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Certify;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify bench certify</c>: the certificate's cost on a random complete MDP with a freshly initialised model;
/// with <c>--train</c>, default training on random complete MDPs of several sizes and seeds, and whether it certifies.
/// </summary>
internal static class BenchCertifyCommand
{
    public static Command Create(CommandIo io)
    {
        var mdp = new RandomMdpOptions(defaultStates: 2000, defaultActions: 4);
        var repeat = new Option<int>("--repeat") { Description = "Timed runs", DefaultValueFactory = _ => 3, HelpName = "R" };
        var train = new Option<string?>("--train") { Description = "Instead: train with the default options on random complete MDPs of these sizes (e.g. 50,100,200,500), --seeds each, and tabulate the verdicts", HelpName = "N,…" };
        var seeds = new Option<int>("--seeds") { Description = "Training seeds per size with --train (0…S−1; the MDP's seed is the training seed + 1)", DefaultValueFactory = _ => 3, HelpName = "S" };
        var copies = new Option<int>("--copies") { Description = "With --write: each state of the random MDP is observed this many times (bisimilar copies)", DefaultValueFactory = _ => 100, HelpName = "C" };
        var write = new Option<string?>("--write") { Description = "Instead: train on the random MDP (default options), then write the input of a certificate at scale into this directory: mdp.json (each state observed --copies times), latents.npy, transition.onnx and aux_head.onnx, for 'assess mdp.json --latents latents.npy --transition transition.onnx --aux-head aux_head.onnx'", HelpName = "DIR" }.NonEmpty();
        var command = new Command("certify", "Time the certificate (bounds for every pair and the required residual), or tabulate default training's verdicts (--train). Exit 0, or 2 on bad options.");
        mdp.AddTo(command);
        foreach (var o in new Option[] { repeat, train, seeds, copies, write })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (n, k, v, s) = (r.GetValue(mdp.States), r.GetValue(mdp.Actions), r.GetValue(mdp.AuxValues), r.GetValue(mdp.Seed));
            var json = r.GetValue(mdp.Json);
            if (r.GetValue(train) is { } sizes)
            {
                return Train(io, sizes, k, v, r.GetValue(seeds), json);
            }

            if (r.GetValue(write) is { } directory)
            {
                return WriteScaleInput(io, directory, n, k, v, s, r.GetValue(copies), json);
            }

            if (n < 2 || n > Certificate.PairLimit || k < 1 || v < 1 || r.GetValue(repeat) < 1)
            {
                throw new UsageException($"need 2 <= --states <= {Certificate.PairLimit}, --actions >= 1, --aux-values >= 1 and --repeat >= 1");
            }

            var model = RandomMdps.Complete(n, k, v, s);
            var data = TrainingData.FromMdp(model);
            var pairs = Bisimilarity.Compute(model).Pairs;
            var jepa = new PJepaModel(ModelShape.For(data, new PJepaConfig(Seed: (ulong)s), data.AuxDim));
            var latents = jepa.EncodeAll(data);
            var (transition, auxHead) = (HeadChain.FromModule(jepa.Transition), HeadChain.FromModule(jepa.AuxHead));
            var scale = CollapseAnalysis.Analyze(latents, jepa.Shape.LatentDim, pairs).Scale;
            Certificate.Compute(latents, jepa.Shape.LatentDim, data, data.Aux, transition, auxHead, pairs, scale);
            var runs = new List<(double Seconds, CertificateReport Report)>();
            for (var i = 0; i < r.GetValue(repeat); i++)
            {
                var clock = Stopwatch.StartNew();
                var c = Certificate.Compute(latents, jepa.Shape.LatentDim, data, data.Aux, transition, auxHead, pairs, scale);
                runs.Add((clock.Elapsed.TotalSeconds, c));
                if (!json)
                {
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"certify: {n} observations × {k} actions ({c.NonEquivalentPairs} non-equivalent pairs): {runs[^1].Seconds:F3} s; {c.CertifiedPairs} certified ({c.RolledOutPairs} by rollouts), {c.Sweeps} sweeps, required residual {c.RequiredResidual:G3}{(c.RequiredResidualExact ? "" : " (search capped)")}, L_T {c.LipschitzTransition:G3}, L_P {c.LipschitzAux:G3}"));
                }
            }

            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            if (json)
            {
                io.Out.Write(JsonText.Write(w =>
                {
                    mdp.WriteHeader(w, "certify", n, k, v, s);
                    w.WriteStartArray("runs");
                    foreach (var (seconds, c) in runs)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("seconds", Math.Round(seconds, 4));
                        w.WriteNumber("nonequivalent_pairs", c.NonEquivalentPairs);
                        w.WriteNumber("certified_pairs", c.CertifiedPairs);
                        w.WriteNumber("rolled_out_pairs", c.RolledOutPairs);
                        w.WriteNumber("sweeps", c.Sweeps);
                        JsonText.NumberOrNull(w, "required_residual", c.RequiredResidual);
                        w.WriteNumber("lipschitz_transition", c.LipschitzTransition);
                        w.WriteNumber("lipschitz_aux", c.LipschitzAux);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteNumber("peak_working_set_bytes", peak);
                    w.WriteNumber("processors", Environment.ProcessorCount);
                    w.WriteEndObject();
                }));
            }
            else
            {
                io.Out.WriteLine($"  machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; process peak working set {peak / 1e6:F0} MB");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The input of a certificate at scale, shaped as a user's replay buffer: a random complete MDP of <paramref name="states"/>
    /// states trained with the default options (seed 0), each state observed <paramref name="copies"/> times — the copies
    /// of a state are bisimilar, their latents the state's, and copy i of s goes under action a to a copy of T(s, a) drawn
    /// from a fixed hash — with the model's heads as ONNX.
    /// </summary>
    private static int WriteScaleInput(CommandIo io, string directory, int states, int actions, int auxValues, int seed, int copies, bool json)
    {
        if (states < 2 || actions < 1 || auxValues < 1 || copies < 1 || (long)states * copies > CollapseAnalysis.MaxObservationsWithClassBounds)
        {
            throw new UsageException($"need --states >= 2, --actions >= 1, --aux-values >= 1, --copies >= 1 and --states × --copies <= {CollapseAnalysis.MaxObservationsWithClassBounds}");
        }

        OutputPath.EnsureDirectory("--write", directory);
        if (new[] { "mdp.json", "latents.npy", "transition.onnx", "aux_head.onnx", "encoder.onnx" }.FirstOrDefault(f => File.Exists(Path.Combine(directory, f))) is { } existing)
        {
            throw new UsageException($"--write {directory}: it already holds {existing}, which this would overwrite; name a new or empty directory");
        }

        var model = RandomMdps.Complete(states, actions, auxValues, seed);
        var clock = Stopwatch.StartNew();
        var run = Pipeline.TrainingRun.Of(model, new BisimulationOptions(), new PJepaConfig(Seed: 0), new CollapseOptions());
        var c = run.Separation.Certificate;
        var trained = clock.Elapsed.TotalSeconds;
        if (!json)
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained on {states} states × {actions} actions in {trained:F1} s ({run.Result.Steps} steps): {run.Separation.VerdictText}, {c?.CertifiedPairs}/{c?.NonEquivalentPairs} pairs certified"));
        }

        Pipeline.Onnx.OnnxExport.Write(run.Result.Model, directory);
        File.Delete(Path.Combine(directory, "encoder.onnx")); // the latents stand for the encoder at this scale

        var n = (long)states * copies;
        var builder = new MdpBuilder($"random MDP of {states} states, each observed {copies} times");
        for (var a = 0; a < actions; a++)
        {
            builder.AddAction(model.Actions[a]);
        }

        for (var o = 0; o < n; o++)
        {
            var index = builder.AddObservation(string.Create(CultureInfo.InvariantCulture, $"s{o / copies}c{o % copies}")).Index;
            builder.SetAux(index, model.Aux[(int)(o / copies)]);
        }

        var next = new int[states * actions];
        foreach (var t in model.Transitions)
        {
            next[(t.From * actions) + t.Action] = t.To;
        }

        for (var o = 0; o < n; o++)
        {
            for (var a = 0; a < actions; a++)
            {
                var copy = (int)(((ulong)o * 0x9E3779B97F4A7C15UL + (ulong)a * 0xBF58476D1CE4E5B9UL) >> 33) % copies;
                builder.AddTransition((int)o, a, (next[((int)(o / copies) * actions) + a] * copies) + copy);
            }
        }

        var path = Path.Combine(directory, "mdp.json");
        MdpJsonWriter.WriteFile(path, builder.Build(), $"{states} random states × {copies} copies (bench certify --write)");
        var latents = run.Result.Latents.ToArray();
        var dim = run.Result.Model.Shape.LatentDim;
        using (var file = File.Create(Path.Combine(directory, "latents.npy")))
        {
            var header = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({n}, {dim}), }}");
            header = header.PadRight(((header.Length + 11 + 63) / 64 * 64) - 11) + "\n"; // after 10 bytes of magic, version and length; the total a multiple of 64
            file.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
            file.Write(System.Text.Encoding.ASCII.GetBytes(header));
            var row = new byte[dim * sizeof(float)];
            for (var o = 0; o < n; o++)
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(latents.AsSpan((int)(o / copies) * dim, dim)).CopyTo(row);
                file.Write(row);
            }
        }

        if (json)
        {
            io.Out.Write(JsonText.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("benchmark", "certify-write");
                w.WriteString("directory", directory);
                w.WriteNumber("states", states);
                w.WriteNumber("copies", copies);
                w.WriteNumber("observations", n);
                w.WriteNumber("actions", actions);
                w.WriteNumber("training_seconds", Math.Round(trained, 2));
                w.WriteNumber("training_steps", run.Result.Steps);
                w.WriteString("verdict", run.Separation.VerdictKey);
                JsonText.NumberOrNull(w, "certified_pairs", c?.CertifiedPairs);
                JsonText.NumberOrNull(w, "nonequivalent_pairs", c?.NonEquivalentPairs);
                w.WriteEndObject();
            }));
        }
        else
        {
            io.Out.WriteLine($"wrote {path} ({n} observations), latents.npy, transition.onnx and aux_head.onnx to {directory}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Default training on random complete MDPs: one Markdown row per size and seed, or one JSON object.</summary>
    private static int Train(CommandIo io, string sizes, int actions, int auxValues, int seeds, bool json)
    {
        var list = sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 2 and <= Certificate.PairLimit ? size : throw new UsageException($"--train takes sizes from 2 to {Certificate.PairLimit}, got '{x}'"))
            .ToArray();
        if (seeds < 1 || actions < 1 || auxValues < 1)
        {
            throw new UsageException("need --seeds >= 1, --actions >= 1 and --aux-values >= 1");
        }

        if (!json)
        {
            io.Out.WriteLine("| observations | actions | classes | seed | steps | verdict | certified | by rollouts | min bound | required residual | max e_T | max e_P | L_T | L_P | seconds |");
            io.Out.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        }

        var rows = new List<(int Observations, int Seed, Pipeline.TrainingRun Run, double Seconds)>();
        foreach (var n in list)
        {
            for (var seed = 0; seed < seeds; seed++)
            {
                var model = RandomMdps.Complete(n, actions, auxValues, seed + 1);
                var clock = Stopwatch.StartNew();
                var run = Pipeline.TrainingRun.Of(model, new BisimulationOptions(), new PJepaConfig(Seed: (ulong)seed), new CollapseOptions());
                rows.Add((n, seed, run, clock.Elapsed.TotalSeconds));
                var c = run.Separation.Certificate;
                if (!json)
                {
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {n} | {actions} | {run.Report.Classes} | {seed} | {run.Result.Steps} | {run.Separation.VerdictKey} | {c?.CertifiedPairs}/{c?.NonEquivalentPairs} | {c?.RolledOutPairs} | {c?.MinCertifiedDistance:G3} | {c?.RequiredResidual:G3} | {c?.MaxResidualDyn:G3} | {c?.MaxResidualAux:G3} | {c?.LipschitzTransition:G3} | {c?.LipschitzAux:G3} | {rows[^1].Seconds:F1} |"));
                }
            }
        }

        if (json)
        {
            io.Out.Write(JsonText.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("benchmark", "certify-train");
                w.WriteNumber("actions", actions);
                w.WriteNumber("aux_values", auxValues);
                w.WriteStartArray("runs");
                foreach (var (_, _, run, seconds) in rows)
                {
                    // The run's own fields carry its observations and seed.
                    w.WriteStartObject();
                    w.WriteNumber("seconds", Math.Round(seconds, 2));
                    TrainingRunJson.WriteFields(w, run, history: false);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }

        return ExitCodes.Ok;
    }
}
