using System.Text;
using Jepa.Verify.Cli;
using Xunit;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// The fuzz suite through the command line (<see cref="CliApp"/>): mutated files given to commands
/// that write an output file. Every run ends with exit 0–3 (never 70, never an exception); exit 2
/// prints exactly one line starting with <c>error:</c>; and a refused run leaves the output file as it was.
/// Fewer inputs than <see cref="ParserFuzzTests"/> (each run builds the command tree and analyses the input).
/// </summary>
public sealed class CliFuzzTests
{
    private const int Inputs = 1000;

    [Theory]
    [InlineData("counting.json", "quotient")]
    [InlineData("counting.aut", "quotient")]
    [InlineData("gridworld.json", "classes")]
    public void MdpFiles(string seed, string command)
    {
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        var input = Path.Combine(dir, "input" + Path.GetExtension(seed));
        var output = Path.Combine(dir, "out", "result.json");
        FuzzInputs.Run(FuzzInputs.Mutated([File.ReadAllText(Path.Combine(FuzzInputs.Examples, seed))], ["{", "}", "[", "]", ",", "\"", "(", ")", "des", "\n", "null"]), FuzzInputs.Count(Inputs), bytes =>
        {
            File.WriteAllBytes(input, bytes);
            var args = command == "quotient" ? new[] { "quotient", input, "--output", output } : ["classes", input, "--json"];
            return Clean(args, command == "quotient" ? output : null);
        });
    }

    [Fact]
    public void CsvDatasetsWithAuxFiles()
    {
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        var aux = Path.Combine(dir, "aux.csv");
        var transitions = Path.Combine(dir, "transitions.csv");
        File.WriteAllText(transitions, File.ReadAllText(Path.Combine(FuzzInputs.Examples, "counting-walk", "transitions.csv")));
        var output = Path.Combine(dir, "quotient.json");
        FuzzInputs.Run(FuzzInputs.Mutated([File.ReadAllText(Path.Combine(FuzzInputs.Examples, "counting-walk", "aux.csv"))], [",", "\"", "\n", "NaN", "label_", "aux_1"]), FuzzInputs.Count(Inputs), bytes =>
        {
            File.WriteAllBytes(aux, bytes);
            return Clean(["quotient", transitions, "--aux-file", aux, "--missing", "sink", "--output", output], output);
        });
    }

    [Fact]
    public void CheckConfigs()
    {
        // Seeds that fail fast when they run at all: no proof, no training steps.
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        File.Copy(Path.Combine(FuzzInputs.Examples, "counting.json"), Path.Combine(dir, "counting.json"));
        var config = Path.Combine(dir, "fuzz.check.json");
        var junit = Path.Combine(dir, "junit.xml");
        var seeds = new[]
        {
            """{"name": "c", "environment": {"file": "counting.json"}, "training": {"steps": 0}, "seeds": [0], "prove": false, "thresholds": {"classes": 9}}""",
            """{"environment": {"builtin": "random", "states": 5, "actions": 2, "aux_values": 2, "seed": 3}, "model": {"latent_dim": 2}, "training": {"steps": 1}, "prove": false}""",
        };
        FuzzInputs.Run(FuzzInputs.Mutated(seeds, ["{", "}", "[", "]", ",", ":", "\"", "0", "\"seeds\"", "\"builtin\""]), FuzzInputs.Count(Inputs), bytes =>
        {
            File.WriteAllBytes(config, bytes);
            return Clean(["check", config, "--junit", junit, "--quiet"], junit);
        });
    }

    /// <summary>Runs the command; true when the outcome honours the exit-code and output contract.</summary>
    private static bool Clean(string[] args, string? output)
    {
        const string Previous = "the previous output, which a refused run must leave alone\n";
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            File.WriteAllText(output, Previous);
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        var error = stderr.ToString();
        if (code is < 0 or > 3)
        {
            throw new InvalidOperationException($"exit code {code}: {error}");
        }

        if (code == 2 && (!error.StartsWith("error: ", StringComparison.Ordinal) || error.TrimEnd('\n').Contains('\n', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"exit 2 without one 'error:' line: {error}");
        }

        if (code == 2 && output is not null && File.ReadAllText(output) != Previous)
        {
            throw new InvalidOperationException($"exit 2 changed the output file {output}");
        }

        if (output is not null && Directory.GetFiles(Path.GetDirectoryName(output)!).Any(f => Path.GetFileName(f).Contains(".tmp", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"a temporary file was left next to {output}");
        }

        return true;
    }
}
