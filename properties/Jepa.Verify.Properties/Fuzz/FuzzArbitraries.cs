using FsCheck;
using FsCheck.Fluent;
using Jepa.Verify.Environments;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// The fuzz suite's inputs, one type per target so that <see cref="FuzzPropertyAttribute"/> registers them all by
/// type: valid seed files of the target's format mutated by <see cref="FuzzInputs.Mutated(IReadOnlyList{string}, IReadOnlyList{string})"/>
/// with the format's own tokens, plus raw random bytes.
/// </summary>
public static class FuzzArbitraries
{
    private static readonly string[] JsonTokens = ["{", "}", "[", "]", ",", ":", "null", "true", "false", "1.5", "\"s0\"", "\"aux\"", "\"id\"", "\"from\"", "\"to\"", "\"action\"", "\"labels\"", "\"features\"", "\"initial\"", "\"transitions\"", "[1, 2]", "/* c */", "\"\\u0000\"", "\"\\ud800\""];

    private static readonly string[] CsvTokens = [",", "\"", "\"\"", "\n", "\r", "#", "id", "aux", "aux_0", "aux_1", "label_x", "from", "action", "to", "count0", "count4", "inc", "dec", "NaN", "Infinity", "1e308", "-0"];

    private static readonly string[] AutTokens = ["des", "(", ")", ",", "\"", "0", "1", "8", "-1", "2147483648", "\"inc\"", "\"dec\"", "\"a,b\"", "i", "\n"];

    private static readonly string[] SmtTokens = ["(", ")", "\"", "\"\"", "|", "sat", "unsat", "unknown", "error", "(error \"x\")", ";", ":reason-unknown", "(- 1)", "((x 1))", "ite", "\n", "((((((((", "))))"];

    private static readonly string[] CliMdpTokens = ["{", "}", "[", "]", ",", "\"", "(", ")", "des", "\n", "null"];

    /// <summary>JSON MDP files.</summary>
    public static Arbitrary<JsonMdp> JsonMdps() => Make(
        b => new JsonMdp(b),
        JsonTokens,
        Example("counting.json"),
        Example("gridworld.json"),
        """{"description": "d", "actions": ["a", 2], "observations": [{"id": "x", "aux": [1, 0.5], "labels": {"k": "v", "n": 3}, "features": [0.1, -2]}, {"id": "y", "aux": null}], "initial": ["x"], "transitions": [{"from": "x", "action": "a", "to": "y"}, {"from": "y", "action": 2, "to": "y"}]}""");

    /// <summary>Aldebaran (<c>.aut</c>) files.</summary>
    public static Arbitrary<Aut> Auts() => Make(b => new Aut(b), AutTokens, Example("counting.aut"), "des (0, 2, 2)\n(0, \"a,b\", 1)\n(1, i, 0)\n");

    /// <summary>CSV transition datasets.</summary>
    public static Arbitrary<CsvDataset> CsvDatasets() =>
        Make(b => new CsvDataset(b), CsvTokens, Example("counting-walk/transitions.csv"), "from,action,to\n# comment\n\"count0\",inc,count1\n\ncount1,\"de\"\"c\",count0\n");

    /// <summary>Aux side files.</summary>
    public static Arbitrary<AuxSide> AuxSides() =>
        Make(b => new AuxSide(b), CsvTokens, Example("counting-walk/aux.csv"), Example("counting-dense-aux.csv"), "id,aux_0,aux_1,label_shape\ncount0,1,NaN,circle\n\"count1\",0,0,\"sq,uare\"\n");

    /// <summary>Check configs: the examples' configs.</summary>
    public static Arbitrary<CheckConfig> CheckConfigs() => Make(
        b => new CheckConfig(b),
        [.. JsonTokens, "\"builtin\"", "\"random\"", "\"counting-images\"", "\"file\"", "\"seeds\"", "\"thresholds\""],
        [.. Directory.GetFiles(FuzzInputs.Examples, "*.check.json").Order(StringComparer.Ordinal).Select(File.ReadAllText)]);

    /// <summary>Check baselines.</summary>
    public static Arbitrary<Baseline> Baselines() => Make(b => new Baseline(b), JsonTokens, Example("counting.baseline.json"));

    /// <summary>Saved model files (a 5-step model of the counting MDP).</summary>
    public static Arbitrary<ModelBytes> Models()
    {
        var result = PJepaTrainer.Train(TrainingData.FromMdp(ClassicMdps.Counting()), new PJepaConfig(Steps: 5, LatentDim: 4, HiddenDim: 8));
        return FuzzInputs.Mutated([ModelFile.Serialize(result.Model)], ["{", "}", "\"hidden_dim\":", "99999", "\"relu\"", "\u00ff\u00ff\u00ff\u007f"]).Convert(b => new ModelBytes(b), m => m.Bytes);
    }

    /// <summary>Solver responses (what z3 and cvc5 print).</summary>
    public static Arbitrary<SolverOutput> SolverOutputs() => Make(
        b => new SolverOutput(b),
        SmtTokens,
        "sat\n", "unsat\n", "unknown\n", "sat\nunsat\nunknown\n", "((x 1) (y (- 2)) (|q r| \"s\"\"t\"))", "((f (ite (= x 1) 2 3)))",
        "(error \"line 1 column 10: unknown constant x\")\n", "(:reason-unknown \"timeout\")", "(:reason-unknown (incomplete quantifiers))", "; comment\nsat\n");

    /// <summary>The counting MDP's JSON, for the command line.</summary>
    public static Arbitrary<CliCountingJson> CliCountingJsons() => Make(b => new CliCountingJson(b), CliMdpTokens, Example("counting.json"));

    /// <summary>The counting MDP's <c>.aut</c>, for the command line.</summary>
    public static Arbitrary<CliCountingAut> CliCountingAuts() => Make(b => new CliCountingAut(b), CliMdpTokens, Example("counting.aut"));

    /// <summary>The grid world's JSON, for the command line.</summary>
    public static Arbitrary<CliGridJson> CliGridJsons() => Make(b => new CliGridJson(b), CliMdpTokens, Example("gridworld.json"));

    /// <summary>Aux files for the walk dataset, for the command line.</summary>
    public static Arbitrary<CliAux> CliAuxes() => Make(b => new CliAux(b), [",", "\"", "\n", "NaN", "label_", "aux_1"], Example("counting-walk/aux.csv"));

    /// <summary>Check configs that fail fast when they run at all (no proof, no training steps), for the command line.</summary>
    public static Arbitrary<CliCheckConfig> CliCheckConfigs() => Make(
        b => new CliCheckConfig(b),
        ["{", "}", "[", "]", ",", ":", "\"", "0", "\"seeds\"", "\"builtin\""],
        """{"name": "c", "environment": {"file": "counting.json"}, "training": {"steps": 0}, "seeds": [0], "prove": false, "thresholds": {"classes": 9}}""",
        """{"environment": {"builtin": "random", "states": 5, "actions": 2, "aux_values": 2, "seed": 3}, "model": {"latent_dim": 2}, "training": {"steps": 1}, "prove": false}""");

    private static Arbitrary<T> Make<T>(Func<byte[], T> wrap, IReadOnlyList<string> tokens, params string[] seeds)
        where T : FuzzInput =>
        FuzzInputs.Mutated(seeds, tokens).Convert(wrap, t => t.Bytes);

    private static string Example(string name) => File.ReadAllText(Path.Combine(FuzzInputs.Examples, name));

    /// <summary>A fuzz input; FsCheck prints it (on failure) as its target and its bytes in base64.</summary>
    /// <param name="Bytes">The file's content.</param>
    public abstract record FuzzInput(byte[] Bytes)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{GetType().Name} (base64): {Convert.ToBase64String(Bytes)}";
    }

    /// <summary>A JSON MDP file.</summary>
    public sealed record JsonMdp(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>An <c>.aut</c> file.</summary>
    public sealed record Aut(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A CSV transition dataset.</summary>
    public sealed record CsvDataset(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>An aux side file.</summary>
    public sealed record AuxSide(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A check config.</summary>
    public sealed record CheckConfig(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A check baseline.</summary>
    public sealed record Baseline(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A saved model.</summary>
    public sealed record ModelBytes(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A solver's output.</summary>
    public sealed record SolverOutput(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A mutated <c>counting.json</c> for the CLI.</summary>
    public sealed record CliCountingJson(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A mutated <c>counting.aut</c> for the CLI.</summary>
    public sealed record CliCountingAut(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A mutated <c>gridworld.json</c> for the CLI.</summary>
    public sealed record CliGridJson(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A mutated aux file for the CLI.</summary>
    public sealed record CliAux(byte[] Bytes) : FuzzInput(Bytes);

    /// <summary>A mutated check config for the CLI.</summary>
    public sealed record CliCheckConfig(byte[] Bytes) : FuzzInput(Bytes);
}
