using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Z3;

namespace Jepa.Verify.Smt.Cvc5;

/// <summary>
/// cvc5 as a second opinion, run as a process on the same SMT-LIB text (<c>--lang smt2</c>):
/// the script is piped in, the answer read, and then either the requested values or the reason
/// for an unknown answer. Finite-model finding is on, so satisfiable quantified queries over
/// uninterpreted sorts get an answer. A process still running past the timeout is killed.
/// </summary>
/// <param name="executable">The cvc5 binary (default <c>cvc5</c> on the PATH).</param>
public sealed class Cvc5Solver(string executable = "cvc5") : ISolver
{
    private static readonly Dictionary<string, string> Versions = [];

    /// <inheritdoc/>
    public string Name => "cvc5";

    /// <summary>The version, e.g. <c>cvc5 1.0.3</c>.</summary>
    /// <exception cref="SolverUnavailableException">When the binary is missing.</exception>
    public string Version
    {
        get
        {
            lock (Versions)
            {
                if (!Versions.TryGetValue(executable, out var v))
                {
                    using var p = Start(["--version"]);
                    var first = p.StandardOutput.ReadLine() ?? "";
                    p.WaitForExit();
                    v = "cvc5 " + (first.Split(' ').LastOrDefault(w => w.Length > 0 && char.IsAsciiDigit(w[0])) ?? "?");
                    Versions[executable] = v;
                }

                return v;
            }
        }
    }

    /// <inheritdoc/>
    public SolverResult Run(string smtLib, IReadOnlyList<string> values, SolverOptions options)
    {
        var version = Version;
        var timeout = options.EffectiveTimeout;
        var args = new List<string>
        {
            "--lang", "smt2", "--produce-models", "--finite-model-find",
            string.Create(CultureInfo.InvariantCulture, $"--tlimit-per={(long)timeout.TotalMilliseconds}"),
        };
        if (options.ResourceLimit is { } r)
        {
            args.Add(string.Create(CultureInfo.InvariantCulture, $"--rlimit-per={r}"));
        }

        using var process = Start(args);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            var sw = Stopwatch.StartNew();
            var logic = smtLib.Contains("(set-logic", StringComparison.Ordinal) ? "" : "(set-logic ALL)\n";
            var answer = Ask(process, logic + smtLib, timeout);
            sw.Stop();
            if (answer is null)
            {
                return new SolverResult(version, SolverStatus.Unknown, "timeout (process stopped)", ImmutableDictionary<string, string>.Empty, sw.Elapsed);
            }

            var status = answer.Trim() switch
            {
                "sat" => SolverStatus.Sat,
                "unsat" => SolverStatus.Unsat,
                "unknown" => SolverStatus.Unknown,
                var other => throw new SolverException($"cvc5: {Error(other, stderr)}"),
            };
            var found = ImmutableDictionary<string, string>.Empty;
            string? reason = null;
            if (status == SolverStatus.Sat && values.Count > 0)
            {
                var text = Ask(process, $"(get-value ({string.Join(" ", values)}))\n", timeout) ?? "";
                found = text.TrimStart().StartsWith("(error", StringComparison.Ordinal)
                    ? throw new SolverException($"cvc5: {Error(text, stderr)}")
                    : Z3Solver.Values(text);
            }
            else if (status == SolverStatus.Unknown)
            {
                reason = Z3Solver.Reason(Ask(process, "(get-info :reason-unknown)\n", timeout) ?? "timeout");
            }

            return new SolverResult(version, status, reason, found, sw.Elapsed);
        }
        finally
        {
            try
            {
                process.StandardInput.Write("(exit)\n");
                process.StandardInput.Close();
                if (!process.WaitForExit(2000))
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // The process has already ended.
            }
        }
    }

    /// <summary>Sends text and reads one complete answer (an atom or a balanced S-expression); null on timeout.</summary>
    private static string? Ask(Process process, string text, TimeSpan timeout)
    {
        try
        {
            process.StandardInput.Write(text);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // cvc5 stopped reading (e.g. after a fatal parse error); what it printed says why.
        }

        var read = Task.Run(() =>
        {
            var sb = new StringBuilder();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                sb.Append(line).Append('\n');
                if (line.Trim().Length > 0 && SExpression.IsComplete(sb.ToString()))
                {
                    break;
                }
            }

            return sb.ToString();
        });
        if (read.Wait(timeout + TimeSpan.FromSeconds(5)))
        {
            return read.Result;
        }

        process.Kill(entireProcessTree: true);
        return null;
    }

    private static string Error(string output, StringBuilder stderr)
    {
        var parsed = output.Trim().Length == 0 ? [] : SafeParse(output);
        var message = parsed is [{ Items: [{ Atom: "error" }, var m] }] ? m.Unquoted() : output;
        if (message.Trim().Length == 0)
        {
            lock (stderr)
            {
                message = stderr.ToString();
            }
        }

        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no output" : lines[0];
    }

    private static List<SExpression> SafeParse(string text)
    {
        try
        {
            return SExpression.ParseAll(text);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private Process Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            return Process.Start(info) ?? throw new SolverUnavailableException($"could not start {executable}");
        }
        catch (Win32Exception)
        {
            throw new SolverUnavailableException($"cvc5 is not installed ({executable} not found); install the Debian package cvc5 (./jepa-verify does it when run as root)");
        }
    }
}
