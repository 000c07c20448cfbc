using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Environments;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Proofs;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify bench …</c>: timed runs of the hot paths, for docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    public static Command Create(CommandIo io)
    {
        var bench = new Command("bench", "Benchmarks (speed and memory); the numbers go into docs/benchmarks.md.");
        bench.Subcommands.Add(Bisim(io));
        bench.Subcommands.Add(Prove(io));
        bench.Subcommands.Add(BenchLoadCommand.Create(io));
        bench.Subcommands.Add(BenchTrainCommand.Create(io));
        bench.Subcommands.Add(BenchAssessCommand.Create(io));
        bench.Subcommands.Add(BenchCertifyCommand.Create(io));
        return bench;
    }

    private static Command Prove(CommandIo io)
    {
        var mdp = new RandomMdpOptions(defaultStates: 1000, defaultActions: 2);
        var solver = new SolverArguments();
        var command = new Command("prove", "Time 'prove' (every query of the finite abstraction) on a random complete deterministic MDP. Exit as prove does: 0 verified, 1 violated, 3 inconclusive; 2 on bad options.");
        mdp.AddTo(command);
        solver.AddTo(command);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (n, k, v, s) = (r.GetValue(mdp.States), r.GetValue(mdp.Actions), r.GetValue(mdp.AuxValues), r.GetValue(mdp.Seed));
            if (n < 1 || k < 1 || v < 1 || n > 100_000)
            {
                throw new UsageException("need 1 <= --states <= 100000, --actions >= 1 and --aux-values >= 1");
            }

            var (table, keys) = RandomMdps.Table(n, k, v, s);
            var sw = Stopwatch.StartNew();
            var partition = PartitionRefinement.Coarsest(table, keys);
            var abstraction = new FiniteAbstraction(
                table,
                keys,
                partition,
                [.. Enumerable.Range(0, n).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture))],
                [.. Enumerable.Range(0, k).Select(a => "a" + a.ToString(CultureInfo.InvariantCulture))],
                [.. Enumerable.Range(0, v).Select(x => x.ToString(CultureInfo.InvariantCulture))]);
            _ = abstraction.Decoder;
            var encodeMs = sw.Elapsed.TotalMilliseconds;
            var proof = AbstractionProver.Prove(abstraction, solver.Panel(r), solver.Options(r));
            var totalMs = sw.Elapsed.TotalMilliseconds;
            if (r.GetValue(mdp.Json))
            {
                io.Out.Write(JsonText.Write(w =>
                {
                    mdp.WriteHeader(w, "prove", n, k, v, s);
                    w.WriteNumber("classes", proof.Classes);
                    w.WriteString("status", proof.Verdict.ToString().ToLowerInvariant());
                    w.WriteNumber("partition_and_decoder_ms", Math.Round(encodeMs, 1));
                    w.WriteNumber("total_ms", Math.Round(totalMs, 1));
                    w.WriteStartObject("query_ms");
                    foreach (var q in proof.Queries)
                    {
                        w.WriteNumber(q.Name, Math.Round(q.Result.Elapsed.TotalMilliseconds, 1));
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
            else
            {
                var queries = string.Join(", ", proof.Queries.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Name} {q.Result.StatusText} {q.Result.Elapsed.TotalMilliseconds:F0} ms")));
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"prove: {n:N0} states x {k} actions, {v} aux values, seed {s}: {proof.Classes:N0} classes, {proof.Verdict.ToString().ToLowerInvariant()} in {totalMs / 1000:F2} s\n" +
                    $"  partition + class decoder {encodeMs:F0} ms; {queries}\n" +
                    $"  solver: {string.Join(" + ", proof.Queries[0].Result.Results.Select(x => x.Solver))}; machine: {Environment.ProcessorCount} cores"));
            }

            return Reports.ProofOutput.ExitCode(proof.Verdict);
        }));
        return command;
    }

    private static Command Bisim(CommandIo io)
    {
        var mdp = new RandomMdpOptions(defaultStates: 1_000_000, defaultActions: 4);
        var liftedClasses = new Option<int>("--classes") { Description = "0: uniform random successors (almost every state its own class); C > 0: lift a random C-block quotient, so classes are coarse", DefaultValueFactory = _ => 0, HelpName = "C" };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs (the best and the median are reported)", DefaultValueFactory = _ => 5, HelpName = "R" };
        var command = new Command("bisim", "Time the bisimulation partition of a random complete deterministic MDP (single-threaded). Exit 0, or 2 on bad options.");
        mdp.AddTo(command);
        command.Options.Add(liftedClasses);
        command.Options.Add(repeat);

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (n, k, v, s, reps, c) = (r.GetValue(mdp.States), r.GetValue(mdp.Actions), r.GetValue(mdp.AuxValues), r.GetValue(mdp.Seed), r.GetValue(repeat), r.GetValue(liftedClasses));
            if (n < 1 || k < 0 || v < 1 || reps < 1 || c < 0 || c > n || (long)n * k >= int.MaxValue)
            {
                throw new UsageException("need --states >= 1, --actions >= 0, --aux-values >= 1, --repeat >= 1, 0 <= --classes <= --states, and states x actions below 2^31");
            }

            // Warm up the JIT on a small instance so the timed runs measure steady-state code.
            var (warmTable, warmKeys) = RandomMdps.Table(10_000, Math.Max(k, 1), v, s);
            PartitionRefinement.Coarsest(warmTable, warmKeys);

            var sw = Stopwatch.StartNew();
            TransitionTable table;
            int[] keys;
            if (c == 0)
            {
                (table, keys) = RandomMdps.Table(n, k, v, s);
            }
            else
            {
                var lifted = RandomMdps.Lifted(n, k, c, v, s);
                (table, keys) = (lifted.Table, lifted.Keys);
            }

            var generateMs = sw.Elapsed.TotalMilliseconds;
            var times = new List<double>();
            var classes = 0;
            long allocated = 0;
            for (var i = 0; i < reps; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var before = GC.GetAllocatedBytesForCurrentThread();
                sw.Restart();
                var partition = PartitionRefinement.Coarsest(table, keys);
                times.Add(sw.Elapsed.TotalMilliseconds);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                classes = partition.Count;
            }

            times.Sort();
            var best = times[0];
            var median = times[times.Count / 2];
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var inputBytes = (long)n * k * sizeof(int) + (long)n * sizeof(int);
            if (r.GetValue(mdp.Json))
            {
                io.Out.Write(JsonText.Write(w =>
                {
                    mdp.WriteHeader(w, "bisim", n, k, v, s);
                    w.WriteNumber("lifted_from_classes", c);
                    w.WriteNumber("repeat", reps);
                    w.WriteNumber("classes", classes);
                    w.WriteNumber("generate_ms", Math.Round(generateMs, 1));
                    w.WriteNumber("best_ms", Math.Round(best, 1));
                    w.WriteNumber("median_ms", Math.Round(median, 1));
                    w.WriteNumber("input_bytes", inputBytes);
                    w.WriteNumber("partition_allocated_bytes", allocated);
                    w.WriteNumber("peak_working_set_bytes", peak);
                    w.WriteNumber("processors", Environment.ProcessorCount);
                    w.WriteEndObject();
                }));
            }
            else
            {
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bisim: {n:N0} states x {k} actions, {v} aux values{(c > 0 ? $", lifted from {c:N0} blocks" : "")}, seed {s}: {classes:N0} classes\n" +
                    $"  partition: best {best:F1} ms, median {median:F1} ms over {reps} runs (single-threaded; generation {generateMs:F0} ms, not timed)\n" +
                    $"  memory: input {inputBytes / 1e6:F1} MB, allocated by one partition {allocated / 1e6:F1} MB, process peak working set {peak / 1e6:F1} MB\n" +
                    $"  machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
