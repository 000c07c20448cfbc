using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Smt.Z3;

/// <summary>
/// Z3 in-process through its C API: each query gets a fresh context with an error handler that
/// never aborts the process, the text is evaluated with <c>Z3_eval_smtlib2_string</c>, and every
/// Z3 error becomes a <see cref="SolverException"/>. The timeout is passed to Z3 and, as a
/// failsafe, enforced with <c>Z3_interrupt</c>.
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
        try
        {
            Z3Native.Z3_set_error_handler(context, &Z3Native.IgnoreError);
            var preamble = string.Create(CultureInfo.InvariantCulture, $"(set-option :timeout {timeoutMs})\n") +
                (options.ResourceLimit is { } r ? string.Create(CultureInfo.InvariantCulture, $"(set-option :rlimit {r})\n") : "");
            Eval(context, preamble, timeoutMs);

            var sw = Stopwatch.StartNew();
            var output = Eval(context, smtLib, timeoutMs * SmtText.RequireChecks(smtLib, "z3"));
            sw.Stop();
            var checks = SolverResponse.Statuses("z3", output);
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
                reason = SolverResponse.Reason(Eval(context, "(get-info :reason-unknown)", timeoutMs));
                var unknown = checks.Count(c => c == SolverStatus.Unknown);
                reason = checks.Length == 1 ? reason : $"{unknown} of {checks.Length} checks unknown ({reason})";
            }

            return new SolverResult(version, status, reason, answers, sw.Elapsed, checks);
        }
        catch (TimeoutException)
        {
            // The failsafe interrupted a step that ignored :timeout: no answer, not an error.
            return new SolverResult(version, SolverStatus.Unknown, "timeout (interrupted)", ImmutableDictionary<string, string>.Empty, TimeSpan.FromMilliseconds(timeoutMs), [SolverStatus.Unknown]);
        }
        finally
        {
            Z3Native.Z3_del_context(context);
        }
    }

    private static string Eval(IntPtr context, string text, long timeoutMs)
    {
        // The solver honours :timeout; a timer interrupts it as a failsafe in case a step ignores it. Z3 runs on the
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
        }, null, timeoutMs + 5000, Timeout.Infinite))
        {
            output = Marshal.PtrToStringUTF8(Z3Native.Z3_eval_smtlib2_string(context, text)) ?? "";
            lock (gate)
            {
                done = true;
            }
        }

        if (interrupted)
        {
            throw new TimeoutException($"z3 did not stop within {timeoutMs + 5000} ms");
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
