using System.Collections.Immutable;
using System.CommandLine;
using Jepa.Verify.Cli.Experiments;
using Jepa.Verify.Pipeline.Experiments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify experiment counting</c>: the paper's counting experiment with every ablation, as a table, JSON and figures (PNG and SVG).</summary>
internal static class ExperimentCommand
{
    public static Command Create(CommandIo io)
    {
        var quick = new Option<bool>("--quick") { Description = "32×32 images and 72 observations (seconds per run) instead of 64×64 and 144; both at most 6,000 steps" };
        var seeds = new Option<int>("--seeds") { Description = "Train every mode with seeds 0 … N−1", DefaultValueFactory = _ => 1, HelpName = "N" };
        var modes = new Option<string[]>("--modes") { Description = "Modes to run, in table order", DefaultValueFactory = _ => [.. CountingSettings.AllModes.Select(m => TrainingModes.Name(m))], HelpName = "mode", AllowMultipleArgumentsPerToken = true };
        modes.AcceptOnlyFromAmong([.. TrainingModes.Names]);
        var steps = new Option<int?>("--steps") { Description = "Override the step budget of every run", HelpName = "N" };
        var outDir = new Option<string>("--out") { Description = "Directory for counting.md, counting.json and the figures as PNG and SVG (created if missing)", DefaultValueFactory = _ => "counting-out", HelpName = "DIR" }.NonEmpty();
        var json = new Option<bool>("--json") { Description = "Print the JSON report instead of the Markdown table" };
        var counting = new Command("counting", "Reproduce the paper's counting experiment: the exact image MDP's classes and Z3's min_latents, then joint, random-aux, aux-only, dyn-only and separate training on the same data with clusters, count accuracy, the theorem's verdict and shape/colour/position probes. It reports what it measures and exits 0 once the experiment ran; 'train' is the command that fails on a collapse.");
        foreach (var o in new Option[] { quick, seeds, modes, steps, outDir, json })
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

            ImmutableArray<TrainingMode> chosen = [.. r.GetValue(modes)!.Distinct().Select(m => TrainingModes.Parse(m))];
            ImmutableArray<ulong> seedList = [.. Enumerable.Range(0, n).Select(i => (ulong)i)];
            var settings = r.GetValue(quick) ? CountingSettings.QuickSettings(seedList, chosen) : CountingSettings.FullSettings(seedList, chosen);
            if (r.GetValue(steps) is { } budget)
            {
                settings = settings with { Training = settings.Training with { Steps = budget } };
            }

            if (settings.Training.Problem() is { } problem)
            {
                throw new UsageException(problem.Replace("steps", "--steps", StringComparison.Ordinal));
            }

            var dir = r.GetValue(outDir)!;
            OutputPath.EnsureDirectory("--out", dir);
            var result = CountingExperiment.Run(settings, r.GetValue(json) ? null : line => io.Out.WriteLine(line));
            var figures = CountingReport.WriteFigures(result, dir);
            var markdown = CountingReport.Markdown(result, figures);
            var report = CountingReport.Json(result);
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
                io.Out.WriteLine($"wrote {Path.Combine(dir, "counting.md")}, counting.json and {figures.Count} figures (PNG and SVG) to {dir}/");
            }

            return ExitCodes.Ok;
        }));
        var command = new Command("experiment", "Reproducible experiments from the paper.");
        command.Subcommands.Add(counting);
        return command;
    }
}
