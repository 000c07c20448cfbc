using System.CommandLine;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify quotient FILE</c>: the MDP with one observation per bisimulation class.</summary>
internal static class QuotientCommand
{
    public static Command Create(CommandIo io)
    {
        var input = new InputOptions();
        var to = new Option<string>("--to") { Description = "Output format: json (the MDP format, readable by every command) or dot (Graphviz)", DefaultValueFactory = _ => "json", HelpName = "json|dot" };
        to.AcceptOnlyFromAmong("json", "dot");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (atomically) instead of standard output", HelpName = "FILE" }.NonEmpty();
        var command = new Command("quotient", "Export the quotient MDP: one observation c0, c1, … per bisimulation class, with members and representative labels. Exit 0, or 2 on bad input.");
        input.AddTo(command, analysis: true);
        command.Options.Add(to);
        command.Options.Add(output);
        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            OutputPath.RefuseOverwrites(input.Files(r), [("--output", r.GetValue(output))]);
            OutputPath.EnsureWritable("--output", r.GetValue(output));
            var analysis = Analysis.Of(input.Load(r), input.Options(r));
            if (analysis.Result.Partition is null)
            {
                throw new UsageException($"{analysis.Mdp.Source} has missing transitions, so there are no classes to quotient by; pass --missing sink");
            }

            var quotient = Quotient.Build(analysis.Mdp, analysis.Result);
            if (r.GetValue(to) == "dot")
            {
                io.Emit(r.GetValue(output), DotWriter.Write(quotient, "quotient"));
            }
            else
            {
                io.Emit(r.GetValue(output), stream => MdpJsonWriter.Write(stream, quotient, $"quotient of {analysis.Mdp.Source} by bisimulation: {quotient.ObservationCount} classes"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
