using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Smt.Z3;

/// <summary>
/// Z3 in-process through its C API: each query gets a fresh context with an error handler that
/// never aborts the process, the text is evaluated with <c>Z3_eval_smtlib2_string</c>, and every
/// Z3 error becomes a <see cref="SolverException"/>. The timeout covers the whole text: the checks are run one at a
/// time with what is left of it, none starts once it is spent, and <c>Z3_interrupt</c> stops a check that runs past it.
/// Reading a check's definitions cannot be interrupted, so a text can run past the limit by that reading time.
/// </summary>
public sealed unsafe class Z3Solver : ISolver
{
    private static readonly Lazy<string> VersionText = new(() => "z3 " + Marshal.PtrToStringUTF8(Z3Native.Z3_get_full_version()));

    /// <inheritdoc/>
    public string Name => "z3";

    /// <summary>The library's version, e.g. <c>z3 4.8.12.0</c>.</summary>
    /// <exception cref="SolverUnavailableException">When <c>libz3.so.4</c> cannot be loaded.</exception>
    public static string Version => Guard(() => VersionText.Value);

    /// <inheritdoc/>
    public SolverResult Run(string smtLib, IReadOnlyList<string> values, SolverOptions options) => Guard(() => RunCore(smtLib, values, options));

    private static SolverResult RunCore(string smtLib, IReadOnlyList<string> values, SolverOptions options)
    {
        var version = VersionText.Value;
        var timeoutMs = (long)options.EffectiveTimeout.TotalMilliseconds;
        var config = Z3Native.Z3_mk_config();
        Z3Native.Z3_set_param_value(config, "model", "true");
        var context = Z3Native.Z3_mk_context(config);
        Z3Native.Z3_del_config(config);
        var sw = new Stopwatch();
        try
        {
            Z3Native.Z3_set_error_handler(context, &Z3Native.IgnoreError);
            var preamble = string.Create(CultureInfo.InvariantCulture, $"(set-option :timeout {timeoutMs})\n") +
                (options.ResourceLimit is { } r ? string.Create(CultureInfo.InvariantCulture, $"(set-option :rlimit {r})\n") : "");
            Eval(context, preamble, timeoutMs);

            sw.Start();
            SmtText.RequireChecks(smtLib, "z3");
            var (output, skipped) = EvalWithin(context, smtLib, timeoutMs, sw);
            sw.Stop();
            var checks = SolverResponse.Statuses("z3", output).AddRange(Enumerable.Repeat(SolverStatus.Unknown, skipped));
            var status = SolverResult.Combine(checks);
            var answers = ImmutableDictionary<string, string>.Empty;
            string? reason = null;
            if (checks.Length == 1 && status == SolverStatus.Sat && values.Count > 0)
            {
                answers = SolverResponse.Values("z3", Eval(context, $"(get-value ({string.Join(" ", values)}))", timeoutMs));
            }
            else if (status == SolverStatus.Unknown)
            {
                // The reason Z3 keeps is the last check's; with several checks, say how many were unknown.
                reason = skipped > 0 ? "timeout" : SolverResponse.Reason(Eval(context, "(get-info :reason-unknown)", timeoutMs));
                var unknown = checks.Count(c => c == SolverStatus.Unknown);
                reason = checks.Length == 1 ? reason : $"{unknown} of {checks.Length} checks unknown ({reason})";
            }

            return new SolverResult(version, status, reason, answers, sw.Elapsed, checks);
        }
        catch (TimeoutException)
        {
            // The deadline passed (a text of many checks, a step that ignored :timeout): no answer, not an error.
            return new SolverResult(version, SolverStatus.Unknown, "timeout (interrupted)", ImmutableDictionary<string, string>.Empty, sw.Elapsed, [SolverStatus.Unknown]);
        }
        finally
        {
            Z3Native.Z3_del_context(context);
        }
    }

    /// <summary>
    /// Evaluates the text a check at a time, each check's <c>:timeout</c> set to what is left of the limit, and
    /// stops when the limit is used up (an interrupt stops only the step that runs; the text's later checks
    /// would each start afresh). Returns Z3's output and how many checks were never started.
    /// </summary>
    private static (string Output, int Skipped) EvalWithin(IntPtr context, string smtLib, long timeoutMs, Stopwatch sw)
    {
        var output = new StringBuilder();
        var pieces = SmtText.SplitAfterChecks(smtLib).ToList();
        for (var i = 0; i < pieces.Count; i++)
        {
            var left = timeoutMs - sw.ElapsedMilliseconds;
            if (left <= 0)
            {
                return (output.ToString(), pieces.Skip(i).Count(p => p.EndsWithCheck));
            }

            var text = pieces[i].EndsWithCheck && i > 0
                ? string.Create(CultureInfo.InvariantCulture, $"(set-option :timeout {left})\n") + pieces[i].Text
                : pieces[i].Text;
            output.Append(Eval(context, text, left));
        }

        return (output.ToString(), 0);
    }

    /// <summary>How long past the deadline the interrupt waits for Z3's own timeout to answer.</summary>
    private const int InterruptGraceMs = 500;

    private static string Eval(IntPtr context, string text, long timeoutMs)
    {
        // Z3 honours :timeout per check; past the limit (and a short grace, so a check stops by its own timeout and says
        // so), a timer interrupts Z3, again every 50 ms, since an interrupt stops only the step that runs. Z3 runs on the
        // calling thread: a Task.Run here waited for a thread-pool thread, and when the pool was busy (parallel
        // tests, training on every core) the wait ran out before Z3 even started, so a fast query came back
        // "canceled" (exit 2, and exit 70 once the timeout escaped from a later call).
        var gate = new object();
        var (done, interrupted) = (false, false);
        string output;
        using (new Timer(_ =>
        {
            lock (gate)
            {
                if (!done)
                {
                    interrupted = true;
                    Z3Native.Z3_interrupt(context);
                }
            }
        }, null, timeoutMs + InterruptGraceMs, 50))
        {
            output = Marshal.PtrToStringUTF8(Z3Native.Z3_eval_smtlib2_string(context, text)) ?? "";
            lock (gate)
            {
                done = true;
            }
        }

        if (interrupted)
        {
            throw new TimeoutException($"z3 did not finish within {timeoutMs} ms");
        }

        var code = Z3Native.Z3_get_error_code(context);
        if (code != Z3Native.Ok)
        {
            // For parse errors Z3 also prints (error "...") into the output: that text is the clearer one.
            var message = SolverResponse.Errors(output)
                ?? SolverResponse.OneLine(Marshal.PtrToStringUTF8(Z3Native.Z3_get_error_msg(context, code)) ?? $"error code {code}");
            throw new SolverException($"z3: {message}");
        }

        if (SolverResponse.Errors(output) is { } error)
        {
            throw new SolverException($"z3: {error}");
        }

        return output;
    }

    private static T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (DllNotFoundException)
        {
            throw new SolverUnavailableException($"Z3 is not installed ({Z3Native.Library} not found); install the Debian package libz3-4 (./jepa-verify does it when run as root)");
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new SolverUnavailableException($"the installed {Z3Native.Library} lacks a function this tool needs ({ex.Message}); install Debian's libz3-4 (4.8.12 or newer)");
        }
    }
}
