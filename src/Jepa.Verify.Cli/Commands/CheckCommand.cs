using System.CommandLine;
using Jepa.Verify.Cli.Check;
using Jepa.Verify.Pipeline.Check;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify check CONFIG.json</c>: the collapse regression test for CI — conditions, classes,
/// proof, training per seed and collapse analysis, against thresholds and an optional baseline.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CommandIo io)
    {
        var config = new Argument<string>("CONFIG") { Description = "The check config (JSON; see docs/formats.md and examples/*.check.json)" };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML here: one test case per check and seed (written atomically)", HelpName = "FILE" }.NonEmpty();
        var markdown = new Option<string?>("--markdown") { Description = "Also write a Markdown summary here (written atomically)", HelpName = "FILE" }.NonEmpty();
        var json = new Option<bool>("--json") { Description = "Print the JSON report (no times: byte-identical for the same config) instead of text" };
        var update = new Option<bool>("--update-baseline") { Description = "Write this run's outcome to the config's baseline file instead of comparing with it (on purpose only)" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines on standard error" };
        var command = new Command("check", "Run a collapse regression check from a config: conditions, classes, proof, training per seed and collapse analysis, against thresholds and a baseline. Exit 0 pass, 1 a check failed or regressed, 2 bad config or input, 3 inconclusive (a solver had no answer, or a model apart but not certified).");
        command.Arguments.Add(config);
        foreach (var o in new Option[] { junit, markdown, json, update, quiet })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var settings = CheckConfigReader.Read(r.GetValue(config)!);
            var updating = r.GetValue(update);
            if (updating && settings.BaselinePath is null)
            {
                throw new UsageException($"--update-baseline needs a baseline file: add \"baseline\": \"{settings.Name}.baseline.json\" to {settings.Path}");
            }

            CheckBaseline? baseline = null;
            if (!updating && settings.BaselinePath is { } path)
            {
                if (Directory.Exists(path))
                {
                    throw new UsageException($"{settings.Path}: the baseline {path} is a directory; name a file in \"baseline\", e.g. \"{settings.Name}.baseline.json\"");
                }

                if (!File.Exists(path))
                {
                    throw new UsageException($"{settings.Path}: the baseline {path} does not exist; create it once with 'jepa-verify check {settings.Path} --update-baseline' and commit it");
                }

                baseline = CheckBaseline.Read(path);
                if (baseline.Name != settings.Name)
                {
                    throw new UsageException($"{settings.Path}: the baseline {path} was recorded for the check '{baseline.Name}', not '{settings.Name}'; point \"baseline\" at this check's own file, or record one with --update-baseline");
                }
            }

            // The reports' places are checked before the pipeline runs, so an unwritable path costs no training.
            OutputPath.RefuseOverwrites(
                [.. settings.Inputs.Select(i => (i.Role, (string?)i.Path)), ("the baseline", updating ? null : settings.BaselinePath)],
                [("--junit", r.GetValue(junit)), ("--markdown", r.GetValue(markdown)), ("--update-baseline", updating ? settings.BaselinePath : null)]);
            OutputPath.EnsureWritable("--junit", r.GetValue(junit));
            OutputPath.EnsureWritable("--markdown", r.GetValue(markdown));
            if (updating)
            {
                OutputPath.EnsureWritable($"the baseline of {settings.Path}", settings.BaselinePath);
            }

            Action<string>? log = r.GetValue(quiet) ? null : line => io.Error.WriteLine($"check {settings.Name}: {line}");
            var result = CheckRunner.Run(settings, baseline, log);
            if (r.GetValue(junit) is { } junitPath)
            {
                AtomicFile.WriteAllText(junitPath, CheckReport.JUnit(result));
            }

            if (r.GetValue(markdown) is { } markdownPath)
            {
                AtomicFile.WriteAllText(markdownPath, CheckReport.Markdown(result));
            }

            if (updating)
            {
                AtomicFile.WriteAllText(settings.BaselinePath!, CheckReport.Baseline(result.ToBaseline()));
            }

            if (r.GetValue(json))
            {
                io.Out.Write(CheckReport.Json(result));
            }
            else
            {
                io.WriteText(CheckReport.Text(result));
            }

            if (updating && !r.GetValue(json))
            {
                io.Out.WriteLine($"baseline written to {settings.BaselinePath}");
            }

            return result.ExitCode;
        }));
        return command;
    }
}
