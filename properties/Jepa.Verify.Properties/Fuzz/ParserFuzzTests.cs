using System.Security.Cryptography;
using System.Text;
using Jepa.Verify.Pipeline.Check;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Mdp.Graphs;
using Jepa.Verify.Smt.Solvers;
using Xunit;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// The fuzz suite over every parser: <see cref="FuzzInputs.Count"/> generated and mutated inputs per
/// format. Each input is either read, or refused with the format's own exception whose message is one
/// line naming the file; any other exception, or an input that takes longer than
/// <see cref="FuzzInputs.PerInputLimit"/>, fails the test (FsCheck shrinks the input).
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string Dir = NewDirectory();

    private static readonly Lazy<AuxFile> WalkAux = new(() => AuxFile.Read(Write("aux.csv", Encoding.UTF8.GetBytes(Example("counting-walk/aux.csv")))));

    /// <summary>The files a fuzzed check config may name, next to it.</summary>
    private static readonly Lazy<string> ConfigDir = new(() =>
    {
        File.WriteAllText(Path.Combine(Dir, "counting.json"), Example("counting.json"));
        Directory.CreateDirectory(Path.Combine(Dir, "counting-walk"));
        File.WriteAllText(Path.Combine(Dir, "counting-walk", "transitions.csv"), Example("counting-walk/transitions.csv"));
        File.WriteAllText(Path.Combine(Dir, "counting-walk", "aux.csv"), Example("counting-walk/aux.csv"));
        return Dir;
    });

    [FuzzProperty]
    public bool JsonMdpFiles(FuzzArbitraries.JsonMdp input) =>
        FuzzInputs.Guarded(input, bytes => ReadsCleanly("fuzz.json", () => Analyse(MdpJsonReader.Read("fuzz.json", bytes))));

    /// <summary>Large JSON files are read on two threads (a tokeniser and a worker): the model, or the error, must be the same as on one.</summary>
    [FuzzProperty]
    public bool JsonMdpFilesReadTheSameOnTwoThreads(FuzzArbitraries.JsonMdp input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var one = JsonOutcome(() => MdpJsonReader.Read("fuzz.json", bytes, threaded: false));
            var two = JsonOutcome(() => MdpJsonReader.Read("fuzz.json", bytes, threaded: true));
            return one == two ? true : throw new InvalidOperationException($"one thread: {one}\ntwo threads: {two}");
        });

    [FuzzProperty]
    public bool AldebaranFiles(FuzzArbitraries.Aut input) =>
        FuzzInputs.Guarded(input, bytes => ReadsCleanly("fuzz.aut", () => Analyse(AutReader.Read("fuzz.aut", bytes))));

    [FuzzProperty]
    public bool CsvTransitionDatasets(FuzzArbitraries.CsvDataset input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var path = Write("transitions.csv", bytes);
            return ReadsCleanly(path, () => Analyse(CsvDatasetReader.Read(path, WalkAux.Value)));
        });

    [FuzzProperty]
    public bool AuxSideFiles(FuzzArbitraries.AuxSide input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var path = Write("aux-side.csv", bytes);
            return ReadsCleanly(path, () => Analyse(AuxFile.Read(path).ApplyTo(ClassicMdps.Counting())));
        });

    [FuzzProperty]
    public bool CheckConfigs(FuzzArbitraries.CheckConfig input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var path = Path.Combine(ConfigDir.Value, "fuzz.check.json");
            File.WriteAllBytes(path, bytes);

            // Reading and building the environment must be clean; the runs themselves are the check tests' business.
            // A config may name another file in the folder, and a problem there is reported against that file.
            return ReadsCleanly(Dir, () =>
            {
                var config = CheckConfigReader.Read(path);
                if (!config.Environment.StartsWith("builtin counting-images", StringComparison.Ordinal))
                {
                    Analyse(config.Build());
                }
            });
        });

    [FuzzProperty]
    public bool CheckBaselines(FuzzArbitraries.Baseline input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var path = Write("fuzz.baseline.json", bytes);
            return ReadsCleanly(path, () => CheckBaseline.Read(path));
        });

    [FuzzProperty]
    public bool ModelFiles(FuzzArbitraries.ModelBytes input) =>
        FuzzInputs.Guarded(input, original =>
        {
            // Half the inputs get a valid checksum, so the reader past the checksum is fuzzed too.
            var bytes = (byte[])original.Clone();
            if (bytes.Length >= 32 && bytes.Length % 2 == 0)
            {
                SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
            }

            try
            {
                ModelFile.Deserialize(bytes, "fuzz.model");
                return true;
            }
            catch (ModelFormatException ex)
            {
                return FuzzInputs.OneLineAbout(ex.Message, "fuzz.model");
            }
        });

    [FuzzProperty]
    public bool SolverResponses(FuzzArbitraries.SolverOutput input) =>
        FuzzInputs.Guarded(input, bytes =>
        {
            var text = Encoding.UTF8.GetString(bytes);
            try
            {
                SolverResponse.Errors(text);
                SolverResponse.Reason(text);
                SolverResponse.Values("z3", text);
                SolverResponse.Statuses("z3", text);
                return true;
            }
            catch (SolverException ex)
            {
                return FuzzInputs.OneLineAbout(ex.Message, "z3 ");
            }
        });

    [Fact]
    public void DeeplyNestedSolverOutputIsRefusedNotAStackOverflow()
    {
        var deep = new string('(', 200_000) + new string(')', 200_000);
        var error = Assert.Throws<SolverException>(() => SolverResponse.Values("cvc5", deep));
        Assert.Contains("nested deeper than 1000 levels", error.Message);
        Assert.Null(SolverResponse.Errors(deep));
    }

    /// <summary>Runs a reader; true when it succeeds or fails with a one-line <see cref="MdpFormatException"/> naming <paramref name="file"/>.</summary>
    private static bool ReadsCleanly(string file, Action read)
    {
        try
        {
            read();
            return true;
        }
        catch (MdpFormatException ex)
        {
            return FuzzInputs.OneLineAbout(ex.Message, file);
        }
        catch (RelationTooLargeException ex)
        {
            return !ex.Message.Contains('\n', StringComparison.Ordinal);
        }
    }

    /// <summary>What every command does after reading: the conditions with the graph's structure and, when defined, the bisimulation.</summary>
    /// <summary>What a read gives, as text: the error's message, or the model with every place the reader recorded.</summary>
    internal static string JsonOutcome(Func<MdpModel> read)
    {
        MdpModel mdp;
        try
        {
            mdp = read();
        }
        catch (MdpFormatException ex)
        {
            return "error: " + ex.Message;
        }

        var places = Enumerable.Range(0, mdp.ObservationCount).Select(i => $"{mdp.LocationOfObservation(i)} {mdp.LocationOfAux(i)}")
            .Concat(Enumerable.Range(0, mdp.Transitions.Length).Select(i => mdp.LocationOfTransition(i).ToString()))
            .Concat(mdp.Duplicates.Select(d => $"{d.Kind} {d.Id} {d.First} {d.Repeated}"));
        return $"{MdpJsonWriter.Write(mdp)}\nrepeats {mdp.RepeatedTransitions}\n{string.Join('\n', places)}";
    }

    private static void Analyse(MdpModel mdp)
    {
        var report = ConditionChecker.Check(mdp);
        StructureAnalysis.Compute(mdp);
        if (report.FiniteDataApplies)
        {
            Bisimilarity.Compute(mdp, new BisimulationOptions(AuxTolerance: 0.5));
        }
    }

    private static string Example(string name) => File.ReadAllText(Path.Combine(FuzzInputs.Examples, name));

    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jepa-verify-fuzz", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
