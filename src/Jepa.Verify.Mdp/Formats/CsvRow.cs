namespace Jepa.Verify.Mdp.Formats;

/// <summary>One CSV record with its 1-based line number and the 1-based column of each field.</summary>
internal sealed record CsvRow(int Line, IReadOnlyList<string> Fields, IReadOnlyList<int> Columns);
