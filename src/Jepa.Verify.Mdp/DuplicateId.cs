namespace Jepa.Verify.Mdp;

/// <summary>An id declared twice in an input; the first declaration wins, the second is reported.</summary>
/// <param name="Kind"><c>observation</c> or <c>action</c>.</param>
/// <param name="Id">The repeated id, e.g. <c>s3</c>.</param>
/// <param name="First">Where it was first declared.</param>
/// <param name="Repeated">Where it was declared again.</param>
public sealed record DuplicateId(string Kind, string Id, SourceLocation First, SourceLocation Repeated);
