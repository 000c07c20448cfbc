using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Proofs;
using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Pipeline;
using Jepa.Verify.Cli.Reports;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify prove FILE</c>: the finite abstraction of an MDP checked by an SMT solver;
/// <c>jepa-verify prove --general</c>: the theorem's obligations.
/// </summary>
internal static class ProveCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions(fileOptional: true);
        var solver = new SolverArguments();
        var general = new Option<bool>("--general") { Description = "Check the theorem's general obligations (proofs/smt2) instead of a file's finite abstraction" };
        var latents = new Option<int?>("--latents") { Description = "Also check whether a zero-loss model with exactly k latents exists (sat iff k >= classes)", HelpName = "k" };
        var emit = new Option<string?>("--emit-smt2") { Description = "Write every query as an .smt2 file into this directory (atomically)", HelpName = "DIR" }.NonEmpty();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("prove", "Check the theorem with an SMT solver: on FILE's finite abstraction (collapse_possible, min_latents, a witness encoder), or with --general on the theorem's obligations. Exit 0 verified, 1 violated, 2 bad input, 3 inconclusive (a solver answered unknown, or the solvers disagreed).");
        input.AddTo(command, analysis: true);
        solver.AddTo(command);
        command.Options.Add(general);
        command.Options.Add(latents);
        command.Options.Add(emit);
        command.Options.Add(json);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var file = r.GetValue(input.File);
            if (r.GetValue(general) == (file is not null))
            {
                throw new UsageException(file is null ? "give an MDP FILE, or --general for the theorem's obligations" : "give either FILE or --general, not both");
            }

            if (r.GetValue(general) && r.GetValue(latents) is not null)
            {
                throw new UsageException("--latents asks about a file's finite abstraction; --general checks the theorem's obligations, which have no latent count: drop one of them");
            }

            return r.GetValue(general)
                ? General(io, solver.Panel(r), solver.Options(r), r.GetValue(emit), r.GetValue(json))
                : File(io, input, r, solver.Panel(r), solver.Options(r), r.GetValue(latents), r.GetValue(emit), r.GetValue(json));
        }));
        return command;
    }

    private static int General(CommandIo io, SolverPanel panel, SolverOptions options, string? emit, bool json)
    {
        if (emit is not null)
        {
            foreach (var o in TheoremObligations.All())
            {
                AtomicFile.WriteAllText(Path.Combine(emit, o.Name + ".smt2"), o.ToSmtLib());
            }
        }

        var (results, verdict) = ObligationRunner.Run(panel, options);
        if (json)
        {
            io.Out.Write(JsonText.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("solver", ProofOutput.Solvers(results.Select(x => x.Outcome.Result)));
                w.WriteString("status", Verdict(verdict));
                w.WriteStartArray("obligations");
                foreach (var (obligation, outcome) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("statement", obligation.Statement);
                    Query(w, outcome);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
        else
        {
            var sb = new StringBuilder();
            sb.AppendLine($"the theorem's obligations ({ProofOutput.Solvers(results.Select(x => x.Outcome.Result))}):");
            var table = new TextTable("obligation", "expected", "actual", "time");
            foreach (var (_, outcome) in results)
            {
                table.Row(outcome.Name, outcome.Expected.ToString().ToLowerInvariant(), Actual(outcome), Seconds(outcome.Result.Elapsed));
            }

            sb.Append(table);
            foreach (var (_, outcome) in results.Where(x => x.Outcome.Result.Values.Count > 0))
            {
                sb.AppendLine($"  model of {outcome.Name}: {string.Join(", ", outcome.Result.Values.Select(kv => $"{kv.Key} = {kv.Value}"))}");
            }

            sb.AppendLine($"verdict: {Verdict(verdict)} ({results.Count(x => x.Outcome.AsExpected)} of {results.Length} as expected)");
            io.Out.Write(sb.ToString());
        }

        return ProofOutput.ExitCode(verdict);
    }

    private static int File(CommandIo io, InputOptions input, ParseResult r, SolverPanel panel, SolverOptions options, int? latents, string? emit, bool json)
    {
        if (latents is < 1)
        {
            throw new UsageException($"--latents must be at least 1, got {latents}");
        }

        var analysis = Analysis.Of(input.Load(r), input.Options(r));
        if (analysis.NothingToProve() is { } nothing)
        {
            throw new UsageException(nothing);
        }

        var result = analysis.Result;
        if (result.FullPartition is null)
        {
            throw new UsageException($"{analysis.Mdp.Source} has missing transitions: the zero-loss equations need every transition; pass --missing sink (the sink becomes an observation of its own)");
        }

        // More latents than observations cannot change the answer (a model may leave latents unused: sat with k ≥ the
        // observations iff sat with the observations), and the query grows with k: refused before it is built.
        var states = analysis.Mdp.ObservationCount + (result.UsesSink ? 1 : 0);
        if (latents > states)
        {
            throw new UsageException($"--latents {latents} is more than the {states} observations of {analysis.Mdp.Source}; a zero-loss model with more latents exists exactly when one with {states} does (unused latents are free), so give at most {states}");
        }

        var abstraction = analysis.Abstraction();
        if (emit is not null)
        {
            foreach (var (name, _, script) in AbstractionProver.Queries(abstraction, latents))
            {
                AtomicFile.WriteAllText(Path.Combine(emit, name + ".smt2"), SmtLibPrinter.Print(script));
            }
        }

        var proof = AbstractionProver.Prove(abstraction, panel, options, latents);
        if (json)
        {
            io.Out.Write(FileJson(analysis, proof, result.UsesSink));
        }
        else
        {
            io.WriteText(FileText(analysis, proof));
        }

        return ProofOutput.ExitCode(proof.Verdict);
    }

    private static string FileText(Analysis analysis, AbstractionProof proof)
    {
        var sb = new StringBuilder();
        sb.AppendLine(analysis.Summary());
        sb.AppendLine($"finite abstraction: {proof.Classes} classes; class decoder with {proof.DecoderWords} words, the longest {proof.LongestDecoderWord} actions; {ProofOutput.Solvers(proof.Queries.Select(q => q.Result))}");
        var table = new TextTable("query", "expected", "actual", "time");
        foreach (var q in proof.Queries)
        {
            table.Row(q.Name, q.Expected.ToString().ToLowerInvariant(), Actual(q), Seconds(q.Result.Elapsed));
        }

        sb.Append(table);
        sb.AppendLine(proof.CollapsePossible switch
        {
            false => "collapse_possible: no — no zero-loss model gives two non-bisimilar observations one latent",
            true => $"collapse_possible: YES — a zero-loss model merges {Pair(analysis, proof.Counterexample)}",
            null when proof.Queries[0].Result.Status == SolverStatus.Sat => "collapse_possible: not established — the decoder lemma FAILED: the partition (or its decoder) does not match the MDP",
            null => "collapse_possible: unknown (a query had no answer)",
        });
        sb.AppendLine(proof.MinLatents is { } m
            ? $"min_latents: {m} (sat with {m}, lower bound by {proof.LowerBound})"
            : "min_latents: not established");
        if (proof.Encoder.Length > 0)
        {
            var shown = string.Join(", ", proof.Encoder.Take(12).Select((l, s) => $"{analysis.Name(s)}→l{l}"));
            sb.AppendLine($"witness encoder at {proof.Classes} latents: {shown}{(proof.Encoder.Length > 12 ? ", …" : "")} ({(proof.EncoderMatchesPartition ? "matches the partition" : "DOES NOT match the partition")})");
        }

        sb.AppendLine($"verdict: {Verdict(proof.Verdict)}");
        return sb.ToString();
    }

    private static string FileJson(Analysis analysis, AbstractionProof proof, bool sink) => JsonText.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("source", analysis.Mdp.Source);
        w.WriteNumber("observations", analysis.Mdp.ObservationCount);
        w.WriteNumber("actions", analysis.Mdp.ActionCount);
        w.WriteNumber("transitions", analysis.Mdp.Transitions.Length);
        w.WriteBoolean("sink", sink);
        w.WriteNumber("classes", proof.Classes);
        w.WriteString("solver", ProofOutput.Solvers(proof.Queries.Select(q => q.Result)));
        w.WriteString("status", Verdict(proof.Verdict));
        JsonText.BooleanOrNull(w, "collapse_possible", proof.CollapsePossible);
        JsonText.NumberOrNull(w, "min_latents", proof.MinLatents);

        w.WriteString("lower_bound", proof.LowerBound);
        w.WriteStartObject("encoder");
        for (var s = 0; s < proof.Encoder.Length; s++)
        {
            w.WriteNumber(analysis.Name(s), proof.Encoder[s]);
        }

        w.WriteEndObject();
        w.WriteBoolean("encoder_matches_partition", proof.EncoderMatchesPartition);
        if (proof.Counterexample is var (a, b))
        {
            JsonText.Strings(w, "counterexample", [analysis.Name(a), analysis.Name(b)]);
        }
        else
        {
            w.WriteNull("counterexample");
        }

        w.WriteStartObject("decoder");
        w.WriteNumber("words", proof.DecoderWords);
        w.WriteNumber("longest_word", proof.LongestDecoderWord);
        w.WriteEndObject();
        w.WriteStartArray("queries");
        foreach (var q in proof.Queries)
        {
            w.WriteStartObject();
            Query(w, q);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("time_seconds", Math.Round(proof.Queries.Sum(q => q.Result.Elapsed.TotalSeconds), 3));
        w.WriteEndObject();
    });

    private static void Query(Utf8JsonWriter w, QueryOutcome q)
    {
        w.WriteString("name", q.Name);
        w.WriteString("expected", q.Expected.ToString().ToLowerInvariant());
        w.WriteString("status", q.Result.StatusText);
        w.WriteBoolean("as_expected", q.AsExpected);
        w.WriteNumber("seconds", Math.Round(q.Result.Elapsed.TotalSeconds, 3));
        SolverArguments.WriteResults(w, q.Result);
        w.WriteStartObject("model");
        foreach (var (term, value) in q.Result.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Take(q.Name.StartsWith("latents", StringComparison.Ordinal) ? 0 : int.MaxValue))
        {
            w.WriteString(term, value);
        }

        w.WriteEndObject();
    }

    private static string Actual(QueryOutcome q) =>
        q.Result.StatusText + (q.AsExpected ? "" : q.Inconclusive ? $" ({q.Result.Describe()})" : "  <-- NOT AS EXPECTED");

    private static string Pair(Analysis analysis, (int A, int B)? pair) =>
        pair is var (a, b) ? $"{analysis.Name(a)} and {analysis.Name(b)}" : "two observations of different classes";

    /// <summary>The solvers behind the results with their versions, e.g. <c>z3 4.8.12.0 + cvc5 1.0.3</c>.</summary>
    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Verdict(ProofVerdict v) => v.ToString().ToLowerInvariant();
}
