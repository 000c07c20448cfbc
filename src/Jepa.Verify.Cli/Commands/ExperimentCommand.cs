using System.Collections.Immutable;
using System.CommandLine;
using Jepa.Verify.Cli.Experiments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline.Experiments;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify experiment counting</c>: the paper's counting experiment with every ablation, as a table, JSON and
/// figures. <c>--protocol reference</c> (the default) runs it as the paper's reference code does (convolutional encoder,
/// its losses, random trajectories, held-out probes); <c>--protocol exact</c> trains on the exact image MDP with <c>train</c>'s
/// defaults (the convolutional encoder, the MLP beside it for joint), with certificates and the paper's claims judged.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create(CommandIo io)
    {
        var protocol = new Option<string>("--protocol") { Description = "reference: the reference code's model, losses, data and evaluation (convolutional encoder, two-hot reward head, random trajectories, held-out probes); exact: train's defaults (the convolutional encoder, and the MLP for joint beside it) on the exact image MDP, with Z3's min_latents, certificates, a decoder probe and the paper's claims judged", DefaultValueFactory = _ => "reference", HelpName = "reference|exact" };
        protocol.AcceptOnlyFromAmong("reference", "exact");
        var quick = new Option<bool>("--quick") { Description = "The quick setting (reference: 32×32, 120 trajectories, 150 steps, under 3 minutes for all modes; exact: 32×32 and 72 observations, about a minute per run) instead of the full one (64×64; reference: 1,000 trajectories and 3,200 steps; exact: 144 observations)" };
        var seeds = new Option<int>("--seeds") { Description = "Run every mode with seeds 0 … N−1", DefaultValueFactory = _ => 1, HelpName = "N" };
        var modes = new Option<string[]>("--modes") { Description = $"Modes to run, in table order (reference: {string.Join(", ", ReferenceModes.Names)}; exact: {string.Join(", ", TrainingModes.Names)}); default all", HelpName = "mode", AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int?>("--steps") { Description = "Override the step budget of every run", HelpName = "N" };
        var outDir = new Option<string>("--out") { Description = "Directory for counting.md, counting.json and the figures (created if missing)", DefaultValueFactory = _ => "counting-out", HelpName = "DIR" }.NonEmpty();
        var json = new Option<bool>("--json") { Description = "Print the JSON report instead of the Markdown table" };
        var counting = new Command("counting", "Reproduce the paper's counting experiment. The reference protocol trains P-JEPA with the convolutional encoder and the reference code's losses on random trajectories in joint, dense, reward-only, transition-only, random-aux and separate modes, and reports cluster accuracy on held-out probes, the decoder probe, shape/colour/position probes, t-SNE/PCA figures and the theorem's verdict. It reports what it measures and exits 0 once the experiment ran (2 on bad options); 'train' is the command that fails on a collapse.");
        foreach (var o in new Option[] { protocol, quick, seeds, modes, steps, outDir, json })
        {
            counting.Options.Add(o);
        }

        counting.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var n = r.GetValue(seeds);
            if (n is < 1 or > 100)
            {
                throw new UsageException($"--seeds must be 1 to 100, got {n}");
            }

            if (r.GetValue(steps) is < 1)
            {
                throw new UsageException($"--steps must be >= 1, got {r.GetValue(steps)}");
            }

            ImmutableArray<ulong> seedList = [.. Enumerable.Range(0, n).Select(i => (ulong)i)];
            var dir = r.GetValue(outDir)!;
            var reference = r.GetValue(protocol) == "reference";
            var names = reference ? ReferenceModes.Names : TrainingModes.Names;
            var chosen = r.GetValue(modes) is { Length: > 0 } given ? given.Distinct().ToArray() : [];
            if (chosen.FirstOrDefault(m => !names.Contains(m)) is { } unknown)
            {
                throw new UsageException($"--modes: '{unknown}' is not a mode of the {r.GetValue(protocol)} protocol; one of {string.Join(", ", names)}");
            }

            OutputPath.EnsureDirectory("--out", dir);
            Action<string>? log = r.GetValue(json) ? null : line => io.Out.WriteLine(line);
            string markdown, report;
            IReadOnlyList<string> figures;
            if (reference)
            {
                ImmutableArray<ReferenceMode> list = chosen.Length == 0 ? ReferenceModes.All : [.. chosen.Select(ReferenceModes.Parse)];
                var settings = r.GetValue(quick) ? ReferenceCountingSettings.QuickSettings(seedList, list) : ReferenceCountingSettings.FullSettings(seedList, list);
                if (r.GetValue(steps) is { } budget)
                {
                    settings = settings.WithSteps(budget);
                }

                var result = ReferenceCountingExperiment.Run(settings, log);
                figures = ReferenceReport.WriteFigures(result, dir);
                (markdown, report) = (ReferenceReport.Markdown(result, figures), ReferenceReport.Json(result));
            }
            else
            {
                ImmutableArray<TrainingMode> list = chosen.Length == 0 ? CountingSettings.AllModes : [.. chosen.Select(TrainingModes.Parse)];
                var settings = r.GetValue(quick) ? CountingSettings.QuickSettings(seedList, list) : CountingSettings.FullSettings(seedList, list);
                if (r.GetValue(steps) is { } budget)
                {
                    settings = settings with { Training = settings.Training with { Steps = budget } };
                }

                var result = CountingExperiment.Run(settings, log);
                figures = CountingReport.WriteFigures(result, dir);
                (markdown, report) = (CountingReport.Markdown(result, figures), CountingReport.Json(result));
            }

            AtomicFile.WriteAllText(Path.Combine(dir, "counting.md"), markdown);
            AtomicFile.WriteAllText(Path.Combine(dir, "counting.json"), report);
            if (r.GetValue(json))
            {
                io.Out.Write(report);
            }
            else
            {
                io.Out.WriteLine();
                io.Out.Write(markdown);
                io.Out.WriteLine($"wrote {Path.Combine(dir, "counting.md")}, counting.json and {figures.Count} figures to {dir}/");
            }

            return ExitCodes.Ok;
        }));
        var command = new Command("experiment", "Reproducible experiments from the paper.");
        command.Subcommands.Add(counting);
        return command;
    }
}
