namespace Jepa.Verify.Mdp;

/// <summary>
/// An id declared twice in an input; the first declaration wins, the second is reported. The two places
/// are located only when read (a file may repeat many ids; reading it stays linear).
/// </summary>
public sealed class DuplicateId
{
    private readonly SourceMap? map;
    private readonly long first;
    private readonly long repeated;
    private readonly string source;

    internal DuplicateId(string kind, string id, string source, SourceMap? map, long first, long repeated)
    {
        Kind = kind;
        Id = id;
        this.source = source;
        this.map = map;
        this.first = first;
        this.repeated = repeated;
    }

    /// <summary><c>observation</c> or <c>action</c>.</summary>
    public string Kind { get; }

    /// <summary>The repeated id, e.g. <c>s3</c>.</summary>
    public string Id { get; }

    /// <summary>Where it was first declared.</summary>
    public SourceLocation First => Locate(first);

    /// <summary>Where it was declared again.</summary>
    public SourceLocation Repeated => Locate(repeated);

    private SourceLocation Locate(long position) => map?.Locate(position) ?? new SourceLocation(source, 0);
}
