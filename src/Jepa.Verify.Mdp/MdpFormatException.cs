namespace Jepa.Verify.Mdp;

/// <summary>
/// Raised for input a user can fix: a malformed file, an unknown id, a value of the wrong type.
/// <see cref="Exception.Message"/> is one line: <c>file:line:col: what is wrong; what to do</c>.
/// </summary>
public sealed class MdpFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="location">Where the problem is.</param>
    /// <param name="problem">What is wrong, e.g. <c>unknown action 'jump'</c>.</param>
    /// <param name="fix">What to do, e.g. <c>declare it in "actions"</c>.</param>
    public MdpFormatException(SourceLocation location, string problem, string fix)
        : base(OneLine.Escape($"{location}: {problem}; {fix}"))
    {
        Location = location;
        Problem = problem;
        Fix = fix;
    }

    /// <summary>Where the problem is.</summary>
    public SourceLocation Location { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    /// <summary>What the user should do.</summary>
    public string Fix { get; }
}
