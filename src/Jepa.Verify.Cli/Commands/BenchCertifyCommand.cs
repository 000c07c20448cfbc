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
        var command = new Command("certify", "Time the certificate (bounds for every pair and the required residual), or tabulate default training's verdicts (--train). Exit 0, or 2 on bad options.");
        mdp.AddTo(command);
        foreach (var o in new Option[] { repeat, train, seeds })
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

            if (n < 2 || n > Certificate.MaxObservations || k < 1 || v < 1 || r.GetValue(repeat) < 1)
            {
                throw new UsageException($"need 2 <= --states <= {Certificate.MaxObservations}, --actions >= 1, --aux-values >= 1 and --repeat >= 1");
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

    /// <summary>Default training on random complete MDPs: one Markdown row per size and seed, or one JSON object.</summary>
    private static int Train(CommandIo io, string sizes, int actions, int auxValues, int seeds, bool json)
    {
        var list = sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 2 and <= Certificate.MaxObservations ? size : throw new UsageException($"--train takes sizes from 2 to {Certificate.MaxObservations}, got '{x}'"))
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
