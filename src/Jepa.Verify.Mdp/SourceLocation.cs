namespace Jepa.Verify.Mdp;

/// <summary>A place in an input file: the file name and a 1-based line and column (0 = unknown).</summary>
/// <param name="File">The file as the user named it, e.g. <c>examples/counting.json</c>.</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column in characters, or 0 when unknown.</param>
public sealed record SourceLocation(string File, int Line, int Column = 0)
{
    /// <summary>Formats as <c>file:line:column</c>, leaving out the parts that are unknown.</summary>
    public override string ToString() =>
        Line <= 0 ? File : Column <= 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
}
