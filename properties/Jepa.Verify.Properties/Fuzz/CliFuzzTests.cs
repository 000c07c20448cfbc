using System.Text;
using Jepa.Verify.Cli;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// The fuzz suite through the command line (<see cref="CliApp"/>): mutated files given to commands
/// that write an output file. Every run ends with exit 0–3 (never 70, never an exception); exit 2
/// prints exactly one line starting with <c>error:</c>; and a refused run leaves the output file as it was.
/// Fewer inputs than <see cref="ParserFuzzTests"/> (each run builds the command tree and analyses the input); each input gets a fresh folder.
/// </summary>
public sealed class CliFuzzTests
{
    private const int Inputs = 1000;

    [FuzzProperty(Inputs)]
    public bool QuotientOfCountingJson(FuzzArbitraries.CliCountingJson input) => MdpFile(input, ".json", "quotient");

    [FuzzProperty(Inputs)]
    public bool QuotientOfCountingAut(FuzzArbitraries.CliCountingAut input) => MdpFile(input, ".aut", "quotient");

    [FuzzProperty(Inputs)]
    public bool ClassesOfGridworldJson(FuzzArbitraries.CliGridJson input) => MdpFile(input, ".json", "classes");

    [FuzzProperty(Inputs)]
    public bool CsvDatasetsWithAuxFiles(FuzzArbitraries.CliAux input)
    {
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        var aux = Path.Combine(dir, "aux.csv");
        var transitions = Path.Combine(dir, "transitions.csv");
        File.WriteAllText(transitions, File.ReadAllText(Path.Combine(FuzzInputs.Examples, "counting-walk", "transitions.csv")));
        var output = Path.Combine(dir, "quotient.json");
        return FuzzInputs.Guarded(input, bytes =>
        {
            File.WriteAllBytes(aux, bytes);
            return Clean(["quotient", transitions, "--aux-file", aux, "--missing", "sink", "--output", output], output);
        }) && Removed(dir);
    }

    [FuzzProperty(Inputs)]
    public bool CheckConfigs(FuzzArbitraries.CliCheckConfig input)
    {
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        File.Copy(Path.Combine(FuzzInputs.Examples, "counting.json"), Path.Combine(dir, "counting.json"));
        var config = Path.Combine(dir, "fuzz.check.json");
        var junit = Path.Combine(dir, "junit.xml");
        return FuzzInputs.Guarded(input, bytes =>
        {
            File.WriteAllBytes(config, bytes);
            return Clean(["check", config, "--junit", junit, "--quiet"], junit);
        }) && Removed(dir);
    }

    private static bool MdpFile(FuzzArbitraries.FuzzInput input, string extension, string command)
    {
        var dir = Directory.CreateTempSubdirectory("jepa-verify-cli-fuzz-").FullName;
        var file = Path.Combine(dir, "input" + extension);
        var output = Path.Combine(dir, "out", "result.json");
        return FuzzInputs.Guarded(input, bytes =>
        {
            File.WriteAllBytes(file, bytes);
            var args = command == "quotient" ? new[] { "quotient", file, "--output", output } : ["classes", file, "--json"];
            return Clean(args, command == "quotient" ? output : null);
        }) && Removed(dir);
    }

    /// <summary>Deletes a passing input's folder (a failing one's is kept to look at); always true.</summary>
    private static bool Removed(string dir)
    {
        Directory.Delete(dir, recursive: true);
        return true;
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
