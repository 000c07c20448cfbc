using System.CommandLine;
using Jepa.Verify.Cli.Commands;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Cli;

/// <summary>Builds the command tree and runs it with one-line errors and the exit codes of <see cref="ExitCodes"/>.</summary>
public static class CliApp
{
    /// <summary>Runs <c>jepa-verify</c> with the given arguments and writers (tests pass string writers).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "Jepa.Verify: checks the theorem that a JEPA with zero transition and auxiliary loss keeps non-bisimilar observations apart.\n" +
            "Exit codes: 0 success, 1 a check failed, 2 bad input or usage, 3 inconclusive (a solver without an answer, solvers that disagree, a model apart but not certified), 70 a bug in jepa-verify (please report it). Each command's --help gives its own.");
        var io = new CommandIo(stdout, stderr);
        root.Subcommands.Add(DemoCommand.Create(io));
        root.Subcommands.Add(ConditionsCommand.Create(io));
        root.Subcommands.Add(ClassesCommand.Create(io));
        root.Subcommands.Add(ExplainCommand.Create(io));
        root.Subcommands.Add(AuditCommand.Create(io));
        root.Subcommands.Add(QuotientCommand.Create(io));
        root.Subcommands.Add(ProveCommand.Create(io));
        root.Subcommands.Add(SolveCommand.Create(io));
        root.Subcommands.Add(TrainCommand.Create(io));
        root.Subcommands.Add(AssessCommand.Create(io));
        root.Subcommands.Add(CheckCommand.Create(io));
        root.Subcommands.Add(EnvCommand.Create(io));
        root.Subcommands.Add(ExperimentCommand.Create(io));
        root.Subcommands.Add(BenchCommand.Create(io));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The whole command path ("jepa-verify env gridworld"), so that the help it points to is the one that failed.
            var names = new List<string>();
            for (var result = parsed.CommandResult; result.Command != root; result = (System.CommandLine.Parsing.CommandResult)result.Parent!)
            {
                names.Insert(0, result.Command.Name);
            }

            var path = string.Join(' ', ["jepa-verify", .. names]);
            // The most specific error first: "Required command was not provided" only when nothing else is wrong.
            var error = parsed.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal)).First();
            stderr.WriteLine($"error: {Plain(error.Message)}; see '{path} --help'");
            return ExitCodes.BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// A parser message in plain words: one line, single spaces (System.CommandLine lists choices with tabs), and .NET type
    /// names said as a user would (<c>'System.Int32'</c> → <c>an integer</c>).
    /// </summary>
    internal static string Plain(string message)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(message.ReplaceLineEndings(" ").Replace('\t', ' '), " {2,}", " ").Trim().TrimEnd('.');
        foreach (var (type, words) in TypeWords)
        {
            text = text.Replace($"expected type '{type}'", words, StringComparison.Ordinal);
        }

        return text;
    }

    private static readonly (string Type, string Words)[] TypeWords =
    [
        ("System.Int32", "an integer"), ("System.Int64", "an integer"), ("System.UInt64", "a whole number >= 0"),
        ("System.Double", "a number"), ("System.Single", "a number"), ("System.Boolean", "true or false"),
        ("System.Nullable`1[System.Int32]", "an integer"), ("System.Nullable`1[System.Double]", "a number"),
    ];

    /// <summary>Runs a command body, turning user-caused exceptions into one-line errors with exit code 2.</summary>
    internal static int Guard(TextWriter stderr, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (SolverDisagreementException ex)
        {
            stderr.WriteLine($"error: {Mdp.OneLine.Escape(ex.Message)}; report this with the query (--emit-smt2)");
            return ExitCodes.Inconclusive;
        }
        catch (Exception ex) when (ex is MdpFormatException or ModelFormatException or UsageException or Pipeline.PipelineException or RelationTooLargeException or SolverException)
        {
            stderr.WriteLine($"error: {Mdp.OneLine.Escape(ex.Message)}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InsufficientExecutionStackException)
        {
            stderr.WriteLine($"error: the input is too large for this machine ({ex.GetType().Name}); try a smaller input");
            return ExitCodes.BadInput;
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end as one line, not a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"internal error: {ex.GetType().Name}: {Mdp.OneLine.Escape(ex.Message)} (please report this with the input that caused it)");
            return ExitCodes.InternalError;
        }
    }
}
