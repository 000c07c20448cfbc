using System.Security.Cryptography;
using System.Text;
using Jepa.Verify.Cli.Check;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Mdp.Formats;
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
    private static readonly string[] JsonTokens = ["{", "}", "[", "]", ",", ":", "null", "true", "false", "1.5", "\"s0\"", "\"aux\"", "\"id\"", "\"from\"", "\"to\"", "\"action\"", "\"labels\"", "\"features\"", "\"initial\"", "\"transitions\"", "[1, 2]", "/* c */", "\"\\u0000\"", "\"\\ud800\""];

    private static readonly string[] CsvTokens = [",", "\"", "\"\"", "\n", "\r", "#", "id", "aux", "aux_0", "aux_1", "label_x", "from", "action", "to", "count0", "count4", "inc", "dec", "NaN", "Infinity", "1e308", "-0"];

    private static readonly string[] AutTokens = ["des", "(", ")", ",", "\"", "0", "1", "8", "-1", "2147483648", "\"inc\"", "\"dec\"", "\"a,b\"", "i", "\n"];

    private static readonly string[] SmtTokens = ["(", ")", "\"", "\"\"", "|", "sat", "unsat", "unknown", "error", "(error \"x\")", ";", ":reason-unknown", "(- 1)", "((x 1))", "ite", "\n", "((((((((", "))))"];

    private static readonly string Dir = NewDirectory();

    [Fact]
    public void JsonMdpFiles()
    {
        var seeds = new[]
        {
            Example("counting.json"),
            Example("gridworld.json"),
            """{"description": "d", "actions": ["a", 2], "observations": [{"id": "x", "aux": [1, 0.5], "labels": {"k": "v", "n": 3}, "features": [0.1, -2]}, {"id": "y", "aux": null}], "initial": ["x"], "transitions": [{"from": "x", "action": "a", "to": "y"}, {"from": "y", "action": 2, "to": "y"}]}""",
        };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, JsonTokens), FuzzInputs.Count(), bytes =>
            ReadsCleanly("fuzz.json", () => Analyse(MdpJsonReader.Read("fuzz.json", bytes))));
    }

    [Fact]
    public void AldebaranFiles()
    {
        var seeds = new[] { Example("counting.aut"), "des (0, 2, 2)\n(0, \"a,b\", 1)\n(1, i, 0)\n" };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, AutTokens), FuzzInputs.Count(), bytes =>
            ReadsCleanly("fuzz.aut", () => Analyse(AutReader.Read("fuzz.aut", bytes))));
    }

    [Fact]
    public void CsvTransitionDatasets()
    {
        var aux = AuxFile.Read(Write("aux.csv", Encoding.UTF8.GetBytes(Example("counting-walk/aux.csv"))));
        var path = Path.Combine(Dir, "transitions.csv");
        var seeds = new[] { Example("counting-walk/transitions.csv"), "from,action,to\n# comment\n\"count0\",inc,count1\n\ncount1,\"de\"\"c\",count0\n" };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, CsvTokens), FuzzInputs.Count(), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            return ReadsCleanly(path, () => Analyse(CsvDatasetReader.Read(path, aux)));
        });
    }

    [Fact]
    public void AuxSideFiles()
    {
        var counting = ClassicMdps.Counting();
        var path = Path.Combine(Dir, "aux-side.csv");
        var seeds = new[] { Example("counting-walk/aux.csv"), Example("counting-dense-aux.csv"), "id,aux_0,aux_1,label_shape\ncount0,1,NaN,circle\n\"count1\",0,0,\"sq,uare\"\n" };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, CsvTokens), FuzzInputs.Count(), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            return ReadsCleanly(path, () => Analyse(AuxFile.Read(path).ApplyTo(counting)));
        });
    }

    [Fact]
    public void CheckConfigs()
    {
        File.WriteAllText(Path.Combine(Dir, "counting.json"), Example("counting.json"));
        Directory.CreateDirectory(Path.Combine(Dir, "counting-walk"));
        File.WriteAllText(Path.Combine(Dir, "counting-walk", "transitions.csv"), Example("counting-walk/transitions.csv"));
        File.WriteAllText(Path.Combine(Dir, "counting-walk", "aux.csv"), Example("counting-walk/aux.csv"));
        var path = Path.Combine(Dir, "fuzz.check.json");
        var seeds = Directory.GetFiles(FuzzInputs.Examples, "*.check.json").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, [.. JsonTokens, "\"builtin\"", "\"random\"", "\"counting-images\"", "\"file\"", "\"seeds\"", "\"thresholds\""]), FuzzInputs.Count(), bytes =>
        {
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
    }

    [Fact]
    public void CheckBaselines()
    {
        var path = Path.Combine(Dir, "fuzz.baseline.json");
        FuzzInputs.Run(FuzzInputs.Mutated([Example("counting.baseline.json")], JsonTokens), FuzzInputs.Count(), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            return ReadsCleanly(path, () => CheckBaseline.Read(path));
        });
    }

    [Fact]
    public void ModelFiles()
    {
        var result = PJepaTrainer.Train(TrainingData.FromMdp(ClassicMdps.Counting()), new PJepaConfig(Steps: 5, LatentDim: 4, HiddenDim: 8));
        var seed = ModelFile.Serialize(result.Model);
        FuzzInputs.Run(FuzzInputs.Mutated([seed], ["{", "}", "\"hidden_dim\":", "99999", "\"relu\"", "\u00ff\u00ff\u00ff\u007f"]), FuzzInputs.Count(), bytes =>
        {
            // Half the inputs get a valid checksum, so the reader past the checksum is fuzzed too.
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
    }

    [Fact]
    public void SolverResponses()
    {
        var seeds = new[]
        {
            "sat\n", "unsat\n", "unknown\n", "sat\nunsat\nunknown\n", "((x 1) (y (- 2)) (|q r| \"s\"\"t\"))", "((f (ite (= x 1) 2 3)))",
            "(error \"line 1 column 10: unknown constant x\")\n", "(:reason-unknown \"timeout\")", "(:reason-unknown (incomplete quantifiers))", "; comment\nsat\n",
        };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, SmtTokens), FuzzInputs.Count(), bytes =>
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
    }

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

    /// <summary>What every command does after reading: the conditions and, when defined, the bisimulation.</summary>
    private static void Analyse(MdpModel mdp)
    {
        var report = ConditionChecker.Check(mdp);
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
