using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Smt.Cvc5;

/// <summary>
/// cvc5 as a second opinion, run as a process on the same SMT-LIB text (<c>--lang smt2</c>):
/// the script is piped in, the answer read, and then either the requested values or the reason
/// for an unknown answer. Quantified text that cvc5 cannot settle by default is tried again with
/// finite-model finding, so satisfiable quantified queries over uninterpreted sorts get an answer.
/// A process still running past the timeout is killed.
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
        // A small portfolio for quantified text: cvc5's default instantiation proves unsat well and
        // gives up quickly on sat; finite-model finding answers sat over uninterpreted sorts but loses
        // some unsat proofs. The first definite answer wins; quantifier-free text needs neither.
        var quantified = smtLib.Contains("(forall", StringComparison.Ordinal) || smtLib.Contains("(exists", StringComparison.Ordinal);
        var first = RunOnce(smtLib, values, options, finiteModelFind: false);
        if (!quantified || first.Status != SolverStatus.Unknown)
        {
            return first;
        }

        var second = RunOnce(smtLib, values, options, finiteModelFind: true);
        return second with { Elapsed = first.Elapsed + second.Elapsed, Reason = second.Reason is null ? null : $"{first.Reason}; with --finite-model-find: {second.Reason}" };
    }

    private SolverResult RunOnce(string smtLib, IReadOnlyList<string> values, SolverOptions options, bool finiteModelFind)
    {
        var version = Version;
        var timeout = options.EffectiveTimeout;
        var args = new List<string>
        {
            "--lang", "smt2", "--produce-models", "--incremental",
            string.Create(CultureInfo.InvariantCulture, $"--tlimit-per={(long)timeout.TotalMilliseconds}"),
        };
        if (finiteModelFind)
        {
            args.Add("--finite-model-find");
        }

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
            Send(process, logic + smtLib);
            var expected = SmtText.RequireChecks(smtLib, "cvc5");
            var checks = ImmutableArray.CreateBuilder<SolverStatus>();
            for (var i = 0; i < expected; i++)
            {
                // The limit covers the whole text: each answer gets what is left of it.
                var answer = Read(process, timeout - sw.Elapsed);
                if (answer is null)
                {
                    sw.Stop();
                    checks.Add(SolverStatus.Unknown);
                    return new SolverResult(version, SolverStatus.Unknown, "timeout (process stopped)", ImmutableDictionary<string, string>.Empty, sw.Elapsed, checks.ToImmutable());
                }

                checks.Add(SolverResponse.Status(answer) ?? throw new SolverException($"cvc5: {Error(answer, stderr)}"));
            }

            sw.Stop();
            var status = SolverResult.Combine(checks);
            var found = ImmutableDictionary<string, string>.Empty;
            string? reason = null;
            if (expected == 1 && status == SolverStatus.Sat && values.Count > 0)
            {
                Send(process, $"(get-value ({string.Join(" ", values)}))\n");
                var text = Read(process, timeout) ?? "";
                found = text.TrimStart().StartsWith("(error", StringComparison.Ordinal)
                    ? throw new SolverException($"cvc5: {Error(text, stderr)}")
                    : SolverResponse.Values("cvc5", text);
            }
            else if (status == SolverStatus.Unknown)
            {
                Send(process, "(get-info :reason-unknown)\n");
                reason = SolverResponse.Reason(Read(process, timeout) ?? "timeout");
                reason = expected == 1 ? reason : $"{checks.Count(c => c == SolverStatus.Unknown)} of {expected} checks unknown ({reason})";
            }

            return new SolverResult(version, status, reason, found, sw.Elapsed, checks.ToImmutable());
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

    private static void Send(Process process, string text)
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
    }

    /// <summary>Reads one complete answer (an atom or a balanced S-expression); null when the timeout passes first.</summary>
    /// <remarks>
    /// The reading runs on a thread of its own, not the thread pool: with the pool busy (parallel tests, training on
    /// every core) a pooled read could start only after the timeout, and a fast answer was then taken for a timeout.
    /// </remarks>
    private static string? Read(Process process, TimeSpan timeout)
    {
        var sb = new StringBuilder();
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                sb.Append(line).Append('\n');
                if (line.Trim().Length > 0 && SExpression.IsComplete(sb.ToString()))
                {
                    break;
                }
            }
        }) { IsBackground = true, Name = "cvc5 reader" };
        reader.Start();
        if (reader.Join(TimeSpan.FromMilliseconds(Math.Max(0, timeout.TotalMilliseconds)) + TimeSpan.FromSeconds(1)))
        {
            return sb.ToString();
        }

        process.Kill(entireProcessTree: true);
        reader.Join();
        return null;
    }

    private static string Error(string output, StringBuilder stderr)
    {
        var message = SolverResponse.Errors(output) ?? output;
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
