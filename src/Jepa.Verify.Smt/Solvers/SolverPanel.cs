namespace Jepa.Verify.Smt.Solvers;

/// <summary>Runs a query on one solver or several and combines the answers; sat against unsat is an error.</summary>
/// <param name="solvers">The solvers, e.g. <c>[new Z3Solver(), new Cvc5Solver()]</c>.</param>
public sealed class SolverPanel(IReadOnlyList<ISolver> solvers)
{
    /// <summary>The choices of <c>--solver</c>.</summary>
    public static readonly IReadOnlyList<string> Choices = ["z3", "cvc5", "both"];

    /// <summary>The solvers asked.</summary>
    public IReadOnlyList<ISolver> Solvers { get; } = solvers;

    /// <summary>A panel for a <c>--solver</c> choice.</summary>
    /// <exception cref="ArgumentException">For an unknown choice.</exception>
    public static SolverPanel For(string choice) => choice switch
    {
        "z3" => new([new Z3.Z3Solver()]),
        "cvc5" => new([new Cvc5.Cvc5Solver()]),
        "both" => new([new Z3.Z3Solver(), new Cvc5.Cvc5Solver()]),
        _ => throw new ArgumentException($"unknown solver '{choice}'; use z3, cvc5 or both", nameof(choice)),
    };

    /// <summary>Runs the script on every solver.</summary>
    /// <exception cref="SolverDisagreementException">When one solver says sat and another unsat.</exception>
    /// <exception cref="SolverException">When a solver rejects the text or is missing, or gives a value not of its term's sort.</exception>
    public PanelResult Check(SmtScript script, SolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(script);
        var result = Check(SmtLibPrinter.Print(script), [.. script.Values.Select(SmtLibPrinter.Print)], options);
        return result.Answered is { } sat
            ? result with { Model = SolverModel.Read(sat.Solver, script.Values, sat.Values) }
            : result;
    }

    /// <summary>Runs raw SMT-LIB text on every solver.</summary>
    /// <exception cref="SolverDisagreementException">When one solver says sat and another unsat.</exception>
    /// <exception cref="SolverException">When a solver rejects the text or is missing.</exception>
    public PanelResult Check(string smtLib, IReadOnlyList<string> values, SolverOptions options)
    {
        var results = Solvers.Select(s => s.Run(smtLib, values, options)).ToList();
        var definite = results.Where(r => r.Status != SolverStatus.Unknown).Select(r => r.Status).Distinct().ToList();
        if (definite.Count > 1)
        {
            throw new SolverDisagreementException($"the solvers disagree: {string.Join("; ", results.Select(r => $"{r.Solver} says {r.StatusText}"))}");
        }

        return new PanelResult(definite.Count == 1 ? definite[0] : SolverStatus.Unknown, [.. results]);
    }
}

/// <summary>Two solvers gave opposite definite answers to one query: a bug in one of them or in the encoding.</summary>
/// <param name="message">One line naming both answers.</param>
public sealed class SolverDisagreementException(string message) : SolverException(message);
