using System.CommandLine;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Cli;

/// <summary>The input arguments shared by the analysis commands, and the load-check-analyse steps behind them.</summary>
internal sealed class InputOptions
{
    public Argument<string> File { get; } = new("FILE")
    {
        Description = "The MDP: a .json MDP, a .csv transition dataset (needs --aux-file), or an .aut file",
    };

    public Option<string?> Format { get; } = new("--format")
    {
        Description = "Input format, when the extension does not tell: json, csv or aut",
        HelpName = "json|csv|aut",
    };

    public Option<string[]> AuxFiles { get; } = new("--aux-file")
    {
        Description = "CSV side file id,aux (or id,aux_0,aux_1,…; optional label_NAME columns) giving the aux values",
        HelpName = "FILE",
    };

    public Option<double> AuxTolerance { get; } = new("--aux-tolerance")
    {
        Description = "Treat aux values in the same bucket round(v / t) as equal (0 = exact)",
        DefaultValueFactory = _ => 0.0,
        HelpName = "t",
    };

    public Option<string> Missing { get; } = new("--missing")
    {
        Description = "Missing transitions: 'relation' (only observed transitions constrain; a set of pairs) or 'sink' (they lead to an absorbing sink; a partition)",
        DefaultValueFactory = _ => "relation",
        HelpName = "relation|sink",
    };

    public Option<long> MaxPairs { get; } = new("--max-pairs")
    {
        Description = "Refuse the pair-based finite-data relation above this many observation pairs",
        DefaultValueFactory = _ => DistinguishabilityRelation.DefaultMaxPairs,
        HelpName = "N",
    };

    private readonly int maxAuxFiles;

    public InputOptions(int maxAuxFiles = 1, bool fileOptional = false)
    {
        this.maxAuxFiles = maxAuxFiles;
        if (fileOptional)
        {
            File.Arity = ArgumentArity.ZeroOrOne;
        }

        Format.AcceptOnlyFromAmong([.. MdpLoader.Formats]);
        Missing.AcceptOnlyFromAmong("relation", "sink");
        AuxFiles.AllowMultipleArgumentsPerToken = false;
    }

    public void AddTo(Command command, bool analysis)
    {
        command.Arguments.Add(File);
        command.Options.Add(Format);
        command.Options.Add(AuxFiles);
        if (analysis)
        {
            command.Options.Add(AuxTolerance);
            command.Options.Add(Missing);
            command.Options.Add(MaxPairs);
        }
    }

    /// <summary>Loads the MDP with the first aux file (if any).</summary>
    public MdpModel Load(ParseResult r)
    {
        var aux = AuxFilePaths(r);
        return MdpLoader.Load(r.GetValue(File)!, r.GetValue(Format), aux.Length > 0 ? aux[0] : null);
    }

    /// <summary>The files this command reads, with their roles, for <see cref="OutputPath.RefuseOverwrites"/>.</summary>
    public IEnumerable<(string Role, string? Path)> Files(ParseResult r) =>
        [("the input MDP", r.GetValue(File)), .. (r.GetValue(AuxFiles) ?? []).Select(a => ("an --aux-file", (string?)a))];

    /// <summary>The <c>--aux-file</c> values, refusing more than this command takes.</summary>
    public string[] AuxFilePaths(ParseResult r)
    {
        var aux = r.GetValue(AuxFiles) ?? [];
        if (aux.Length > maxAuxFiles)
        {
            throw new UsageException($"--aux-file was given {aux.Length} times; this command takes at most {maxAuxFiles}");
        }

        return aux;
    }

    /// <summary>The analysis options, validated.</summary>
    public BisimulationOptions Options(ParseResult r)
    {
        var tolerance = r.GetValue(AuxTolerance);
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new UsageException($"--aux-tolerance must be a finite number >= 0, got {tolerance}");
        }

        var maxPairs = r.GetValue(MaxPairs);
        if (maxPairs < 1)
        {
            throw new UsageException($"--max-pairs must be at least 1, got {maxPairs}");
        }

        var missing = r.GetValue(Missing) == "sink" ? MissingTransitions.Sink : MissingTransitions.Relation;
        return new BisimulationOptions(tolerance, missing, maxPairs);
    }

    /// <summary>The collapse options of a command's <c>--tolerance</c>, validated.</summary>
    /// <exception cref="UsageException">When the tolerance is negative or not finite.</exception>
    public static Learning.Collapse.CollapseOptions Collapse(double tolerance) =>
        tolerance >= 0 && double.IsFinite(tolerance)
            ? new Learning.Collapse.CollapseOptions(tolerance)
            : throw new UsageException($"--tolerance must be a finite number >= 0, got {tolerance}");

    /// <summary>The index of an observation named on the command line.</summary>
    public static int Observation(MdpModel mdp, string id)
    {
        var i = mdp.IndexOfObservation(id);
        if (i < 0)
        {
            var sample = string.Join(", ", mdp.Observations.Take(3).Select(o => $"'{o}'{OneLine.CodePoints(o)}"));
            throw new UsageException($"unknown observation '{id}'{OneLine.CodePoints(id)} in {mdp.Source}; ids there look like {sample}");
        }

        return i;
    }
}
