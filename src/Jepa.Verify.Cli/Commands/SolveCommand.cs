using System.CommandLine;
using System.Text;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify solve FILE.smt2…</c>: runs SMT-LIB files on the solvers, and compares each answer
/// with the file's <c>; expected: sat|unsat</c> header when it has one (as the golden files in proofs/smt2 do).
/// </summary>
internal static class SolveCommand
{
    public static Command Create(CommandIo io)
    {
        var files = new Argument<string[]>("FILE") { Description = "SMT-LIB 2 files, each ending in (check-sat); a file with several (check-sat) is sat if any answer is sat, else unknown if any is unknown, else unsat (each answer is listed)", Arity = ArgumentArity.OneOrMore };
        var solver = new SolverArguments();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("solve", "Run SMT-LIB files on z3 and/or cvc5 and compare with their '; expected:' header. Each file is reported on its own. Exit 0 every answer as expected, 1 an answer differs from it, 2 a file cannot be read or parsed, 3 a solver says unknown.");
        command.Arguments.Add(files);
        solver.AddTo(command);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var panel = solver.Panel(r);
            var options = solver.Options(r);
            var runs = new List<(string File, string? Expected, PanelResult Result)>();
            var errors = new List<(string File, string Message)>();
            foreach (var file in r.GetValue(files)!)
            {
                // Each file stands alone: one that cannot be read or parsed is reported with its name, and the others still run.
                try
                {
                    var text = string.Join('\n', TextFile.Lines(file, TextFile.ReadBytes(file)));
                    if (SmtText.CountChecks(text) == 0)
                    {
                        throw new UsageException("no (check-sat) command, so there is nothing to solve (an empty or truncated file?); end it with (check-sat)");
                    }

                    runs.Add((file, Expected(text), panel.Check(text, [], options)));
                }
                catch (Exception ex) when (ex is MdpFormatException or UsageException or SolverException)
                {
                    var message = ex is MdpFormatException f ? $"{f.Problem}; {f.Fix}" : ex.Message;
                    var where = ex is MdpFormatException { Location.Line: > 0 } located ? located.Location.ToString() : file;
                    errors.Add((file, $"{where}: {message}"));
                    io.Error.WriteLine($"error: {Mdp.OneLine.Escape(errors[^1].Message)}");
                }
            }

            var mismatch = runs.Any(x => x.Expected is not null && x.Result.Status != SolverStatus.Unknown && x.Expected != x.Result.StatusText);
            var unknown = runs.Any(x => x.Result.Status == SolverStatus.Unknown);
            if (r.GetValue(json))
            {
                io.Out.Write(JsonText.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("files");
                    foreach (var (file, expected, result) in runs)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", file);
                        w.WriteString("status", result.StatusText);
                        JsonText.StringOrNull(w, "expected", expected);

                        JsonText.Strings(w, "checks", result.Results[0].Checks.Select(c => c.ToString().ToLowerInvariant()));
                        SolverArguments.WriteResults(w, result);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartArray("errors");
                    foreach (var (file, message) in errors)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", file);
                        w.WriteString("error", message);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            }
            else
            {
                var sb = new StringBuilder();
                foreach (var (file, expected, result) in runs)
                {
                    var verdict = expected is null ? "" : expected == result.StatusText ? $" (expected {expected}: ok)" : $" (expected {expected}: MISMATCH)";
                    var checks = result.Results[0].Checks.Length > 1 ? $" [{result.Results[0].Checks.Length} checks]" : "";
                    sb.AppendLine($"{file}: {result.StatusText}{checks}{verdict} — {result.Describe()}");
                }

                io.Out.Write(sb.ToString());
            }

            return mismatch ? ExitCodes.CheckFailed : errors.Count > 0 ? ExitCodes.BadInput : unknown ? ExitCodes.Inconclusive : ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The status named by a <c>; expected: sat</c> comment line, if any.</summary>
    private static string? Expected(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("; expected:", StringComparison.Ordinal))
            {
                return t["; expected:".Length..].Trim();
            }
        }

        return null;
    }
}
