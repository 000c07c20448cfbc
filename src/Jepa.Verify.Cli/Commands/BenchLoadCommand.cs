using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Jepa.Verify.Environments;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify bench load</c>: writes a random complete MDP in the layouts users produce (Python's one-line
/// <c>json.dump</c>, <c>indent=1</c>, the same with CRLF, a pandas-style CSV dataset with CRLF and an aux file,
/// an <c>.aut</c> file), then times the whole process of <c>jepa-verify classes --json</c> on each with
/// <c>/usr/bin/time -v</c> (wall clock and peak resident memory), beside the peers that are installed:
/// CPython's <c>json.load</c> of the one-line file and OpenFst's <c>fstminimize</c> of the same automaton.
/// </summary>
internal static class BenchLoadCommand
{
    private static readonly string[] AllLayouts = ["one-line", "pretty", "crlf", "csv", "aut"];

    public static Command Create(CommandIo io)
    {
        var states = new Option<int>("--states") { Description = "Observations of the random MDP", DefaultValueFactory = _ => 100_000, HelpName = "N" };
        var actions = new Option<int>("--actions") { Description = "Actions", DefaultValueFactory = _ => 2, HelpName = "K" };
        var auxValues = new Option<int>("--aux-values") { Description = "Distinct aux values", DefaultValueFactory = _ => 3, HelpName = "V" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random MDP", DefaultValueFactory = _ => 1, HelpName = "S" };
        var layouts = new Option<string[]>("--layout") { Description = $"Layouts to write and time (repeatable): {string.Join(", ", AllLayouts)}; default all", HelpName = "LAYOUT", AllowMultipleArgumentsPerToken = true };
        layouts.AcceptOnlyFromAmong(AllLayouts);
        var peers = new Option<bool>("--no-peers") { Description = "Do not run the peers (python3 json.load, OpenFst fstminimize) even when installed" };
        var keep = new Option<string?>("--keep") { Description = "Write the files into this directory and keep them (default: a temporary directory, deleted)", HelpName = "DIR" }.NonEmpty();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var runs = new Option<int>("--runs") { Description = "Rounds of timing: every command once per round, the rounds one after another; the table gives the median and the best wall time and the largest peak RSS", DefaultValueFactory = _ => 1, HelpName = "R" };
        var command = new Command("load", "Time whole processes reading a random MDP written as users write it (one-line, pretty and CRLF JSON, CSV, .aut), beside python3's json.load and OpenFst's fstminimize when installed. Needs /usr/bin/time. Exit 0, 1 when one of our runs failed, 2 on bad options.");
        foreach (var o in new Option[] { states, actions, auxValues, seed, layouts, peers, keep, runs, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (n, k, v, s) = (r.GetValue(states), r.GetValue(actions), r.GetValue(auxValues), r.GetValue(seed));
            if (n < 1 || k < 1 || v < 1 || (long)n * k > 20_000_000)
            {
                throw new UsageException("need --states >= 1, --actions >= 1, --aux-values >= 1 and states x actions <= 20,000,000");
            }

            if (r.GetValue(runs) is < 1 or > 100)
            {
                throw new UsageException($"--runs must be between 1 and 100, got {r.GetValue(runs)}");
            }

            if (!File.Exists("/usr/bin/time"))
            {
                throw new UsageException("bench load measures whole processes with /usr/bin/time -v, which is missing; install Debian's 'time' package");
            }

            var chosen = r.GetValue(layouts) is { Length: > 0 } l ? l.Distinct().ToArray() : AllLayouts;
            var dir = r.GetValue(keep) ?? Path.Combine(Path.GetTempPath(), $"jepa-verify-bench-load-{Environment.ProcessId}");
            Directory.CreateDirectory(dir);
            try
            {
                var rows = Run(n, k, v, s, chosen, !r.GetValue(peers), dir, r.GetValue(runs), line => { if (!r.GetValue(json)) { io.Error.WriteLine(line); } });
                if (r.GetValue(json))
                {
                    io.Out.Write(JsonText.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("benchmark", "load");
                        w.WriteNumber("states", n);
                        w.WriteNumber("actions", k);
                        w.WriteNumber("aux_values", v);
                        w.WriteNumber("seed", s);
                        w.WriteNumber("rounds", r.GetValue(runs));
                        w.WriteStartArray("runs");
                        foreach (var row in rows)
                        {
                            w.WriteStartObject();
                            w.WriteString("what", row.What);
                            w.WriteString("command", row.Command);
                            w.WriteNumber("file_bytes", row.Bytes);
                            w.WriteNumber("exit_code", row.ExitCode);
                            w.WriteNumber("wall_seconds", row.Wall);
                            w.WriteNumber("wall_seconds_best", row.WallBest);
                            w.WriteNumber("peak_rss_bytes", row.PeakRss);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }));
                }
                else
                {
                    var rounds = r.GetValue(runs);
                    var table = rounds == 1 ? new TextTable("what", "file", "wall", "peak RSS", "exit") : new TextTable("what", "file", "wall (median)", "wall (best)", "peak RSS", "exit");
                    foreach (var row in rows)
                    {
                        string[] wall = rounds == 1 ? [Seconds(row.Wall)] : [Seconds(row.Wall), Seconds(row.WallBest)];
                        table.Row([row.What, Mb(row.Bytes), .. wall, Mb(row.PeakRss), row.ExitCode.ToString(CultureInfo.InvariantCulture)]);
                    }

                    var how = rounds == 1 ? "one after another" : $"one after another, {rounds} rounds";
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: {n:N0} observations x {k} actions, {v} aux values, seed {s}; whole processes under /usr/bin/time -v, {how}"));
                    io.Out.Write(table.ToString());
                    foreach (var row in rows)
                    {
                        io.Out.WriteLine($"  {row.What}: {row.Command}");
                    }
                }

                return rows.Any(x => x.ExitCode != 0 && !x.What.StartsWith("peer", StringComparison.Ordinal)) ? ExitCodes.CheckFailed : ExitCodes.Ok;
            }
            finally
            {
                if (r.GetValue(keep) is null)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }));
        return command;
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB");

    private static string Seconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:F2} s");

    /// <summary>One timed command: wall time as the median over the rounds and the best, peak RSS the largest, exit code the first non-zero.</summary>
    private sealed record Row(string What, string Command, long Bytes, int ExitCode, double Wall, double WallBest, long PeakRss);

    private sealed record Job(string What, string[] Command, string File);

    /// <summary>Writes the files, then times every command once per round (rounds one after another, so a slow spell of the machine hits all commands alike).</summary>
    private static List<Row> Run(int n, int k, int v, int seed, string[] layouts, bool peers, string dir, int rounds, Action<string> log)
    {
        var jobs = Jobs(n, k, v, seed, layouts, peers, dir, log);
        var times = jobs.Select(_ => new List<Row>()).ToArray();
        for (var round = 1; round <= rounds; round++)
        {
            for (var j = 0; j < jobs.Count; j++)
            {
                log(rounds == 1 ? $"timing {jobs[j].What} ..." : $"timing {jobs[j].What} (round {round} of {rounds}) ...");
                times[j].Add(Time(jobs[j].What, jobs[j].Command, jobs[j].File));
            }
        }

        return [.. times.Select(t =>
        {
            var walls = t.Select(x => x.Wall).Order().ToArray();
            var median = walls.Length % 2 == 1 ? walls[walls.Length / 2] : (walls[(walls.Length / 2) - 1] + walls[walls.Length / 2]) / 2;
            return t[0] with { ExitCode = t.Select(x => x.ExitCode).FirstOrDefault(e => e != 0), Wall = median, WallBest = walls[0], PeakRss = t.Max(x => x.PeakRss) };
        })];
    }

    private static List<Job> Jobs(int n, int k, int v, int seed, string[] layouts, bool peers, string dir, Action<string> log)
    {
        var (table, keys) = RandomMdps.Table(n, k, v, seed);
        var self = Self();
        var rows = new List<Job>();
        foreach (var layout in layouts)
        {
            log($"writing the {layout} file ...");
            var (file, args) = layout switch
            {
                "one-line" => (WriteJson(Path.Combine(dir, "mdp.json"), table, keys, pretty: false, crlf: false), (string[])["classes", "--json"]),
                "pretty" => (WriteJson(Path.Combine(dir, "mdp.pretty.json"), table, keys, pretty: true, crlf: false), ["classes", "--json"]),
                "crlf" => (WriteJson(Path.Combine(dir, "mdp.crlf.json"), table, keys, pretty: true, crlf: true), ["classes", "--json"]),
                "csv" => WriteCsv(dir, table, keys),
                _ => (WriteAut(Path.Combine(dir, "mdp.aut"), table), ["classes", "--json"]),
            };
            rows.Add(new Job($"jepa-verify {layout}", [.. self, .. args.Take(2), file, .. args.Skip(2)], file));
        }

        if (peers)
        {
            var oneLine = Path.Combine(dir, "mdp.json");
            if (File.Exists(oneLine) && Which("python3") is { } python)
            {
                rows.Add(new Job("peer: python3 json.load (one-line)", [python, "-c", "import json,sys; json.load(open(sys.argv[1]))", oneLine], oneLine));
            }

            if (Which("fstcompile") is { } compile && Which("fstminimize") is { } minimize)
            {
                var text = Path.Combine(dir, "mdp.fst.txt");
                var fst = Path.Combine(dir, "mdp.fst");
                WriteFstText(text, table, keys);
                var compiled = Process.Start(new ProcessStartInfo(compile, ["--acceptor", "--keep_state_numbering", text, fst]) { RedirectStandardError = true })!;
                compiled.WaitForExit();
                if (compiled.ExitCode == 0)
                {
                    rows.Add(new Job("peer: OpenFst fstminimize", [minimize, fst, Path.Combine(dir, "min.fst")], fst));
                }
            }
        }

        return rows;
    }

    /// <summary>This program as a command line: the native executable or apphost, or <c>dotnet jepa-verify.dll</c>.</summary>
    private static string[] Self()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, Path.Combine(AppContext.BaseDirectory, "jepa-verify.dll")] : [process];
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="command"/> under <c>/usr/bin/time -v</c>, its output discarded, and reads wall time and peak RSS.</summary>
    private static Row Time(string what, string[] command, string file)
    {
        var start = new ProcessStartInfo("/usr/bin/time", ["-v", .. command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var stderr = process.StandardError.ReadToEnd();
        stdout.Wait();
        process.WaitForExit();
        var wall = 0.0;
        long rss = 0;
        var exit = process.ExitCode;
        foreach (var line in stderr.Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("Elapsed (wall clock) time", StringComparison.Ordinal))
            {
                wall = Clock(t[(t.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]);
            }
            else if (t.StartsWith("Maximum resident set size (kbytes):", StringComparison.Ordinal))
            {
                rss = long.Parse(t[(t.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (t.StartsWith("Exit status:", StringComparison.Ordinal))
            {
                exit = int.Parse(t[(t.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        var shown = string.Join(' ', command.Select(c => c.Contains(' ', StringComparison.Ordinal) ? $"'{c}'" : c));
        return new Row(what, "/usr/bin/time -v " + shown, new FileInfo(file).Length, exit, wall, wall, rss);
    }

    /// <summary>GNU time's <c>h:mm:ss</c> or <c>m:ss.cc</c>.</summary>
    private static double Clock(string text)
    {
        var seconds = 0.0;
        foreach (var part in text.Split(':'))
        {
            seconds = (seconds * 60) + double.Parse(part, CultureInfo.InvariantCulture);
        }

        return seconds;
    }

    /// <summary>Exactly what Python's <c>json.dump(d, f)</c> writes (one line, ", " and ": "), or with <c>indent=1</c>.</summary>
    private static string WriteJson(string path, Mdp.Bisimulation.TransitionTable table, int[] keys, bool pretty, bool crlf)
    {
        var nl = crlf ? "\r\n" : "\n";
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        string Open(int depth) => pretty ? nl + new string(' ', depth) : "";
        string Sep(int depth) => pretty ? "," + nl + new string(' ', depth) : ", ";
        w.Write("{" + Open(1) + "\"actions\": [" + Open(2));
        for (var a = 0; a < table.Actions; a++)
        {
            w.Write((a > 0 ? Sep(2) : "") + $"\"a{a}\"");
        }

        w.Write(Open(1) + "]" + Sep(1) + "\"observations\": [" + Open(2));
        for (var s = 0; s < table.States; s++)
        {
            w.Write(s > 0 ? Sep(2) : "");
            w.Write(pretty
                ? $"{{{Open(3)}\"id\": \"s{s}\",{Open(3)}\"aux\": {keys[s]}{Open(2)}}}"
                : $"{{\"id\": \"s{s}\", \"aux\": {keys[s]}}}");
        }

        w.Write(Open(1) + "]" + Sep(1) + "\"transitions\": [" + Open(2));
        var first = true;
        for (var s = 0; s < table.States; s++)
        {
            for (var a = 0; a < table.Actions; a++)
            {
                w.Write(first ? "" : Sep(2));
                first = false;
                var to = table.Successor(s, a);
                w.Write(pretty
                    ? $"{{{Open(3)}\"from\": \"s{s}\",{Open(3)}\"action\": \"a{a}\",{Open(3)}\"to\": \"s{to}\"{Open(2)}}}"
                    : $"{{\"from\": \"s{s}\", \"action\": \"a{a}\", \"to\": \"s{to}\"}}");
            }
        }

        w.Write(Open(1) + "]" + Open(0) + "}");
        return path;
    }

    /// <summary>A transition dataset as pandas' <c>to_csv</c> writes it with <c>lineterminator="\r\n"</c> (an index column dropped), and its aux file.</summary>
    private static (string File, string[] Args) WriteCsv(string dir, Mdp.Bisimulation.TransitionTable table, int[] keys)
    {
        var aux = Path.Combine(dir, "aux.csv");
        var transitions = Path.Combine(dir, "transitions.csv");
        using (var w = new StreamWriter(aux, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("id,aux\r\n");
            for (var s = 0; s < table.States; s++)
            {
                w.Write($"s{s},{keys[s]}.0\r\n");
            }
        }

        using (var w = new StreamWriter(transitions, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("from,action,to\r\n");
            for (var s = 0; s < table.States; s++)
            {
                for (var a = 0; a < table.Actions; a++)
                {
                    w.Write($"s{s},a{a},s{table.Successor(s, a)}\r\n");
                }
            }
        }

        return (transitions, ["classes", "--json", "--aux-file", aux]);
    }

    private static string WriteAut(string path, Mdp.Bisimulation.TransitionTable table)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write($"des (0, {(long)table.States * table.Actions}, {table.States})\n");
        for (var s = 0; s < table.States; s++)
        {
            for (var a = 0; a < table.Actions; a++)
            {
                w.Write($"({s}, \"a{a}\", {table.Successor(s, a)})\n");
            }
        }

        return path;
    }

    /// <summary>
    /// The same automaton for OpenFst: each state's action arcs, plus an arc labelled by its aux value to one
    /// final state, so that minimisation merges exactly the bisimilar states.
    /// </summary>
    private static void WriteFstText(string path, Mdp.Bisimulation.TransitionTable table, int[] keys)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var final = table.States;
        for (var s = 0; s < table.States; s++)
        {
            for (var a = 0; a < table.Actions; a++)
            {
                w.Write($"{s} {table.Successor(s, a)} {a + 1}\n");
            }

            w.Write($"{s} {final} {table.Actions + 1 + keys[s]}\n");
        }

        w.Write($"{final}\n");
    }
}
