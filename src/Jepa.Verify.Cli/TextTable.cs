using System.Text;

namespace Jepa.Verify.Cli;

/// <summary>A plain-text table whose columns are as wide as their widest cell, indented by two spaces.</summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> rows = [header];

    public TextTable Row(params string[] cells)
    {
        rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.Append("  ");
            for (var c = 0; c < row.Length; c++)
            {
                sb.Append(c + 1 < row.Length ? row[c].PadRight(widths[c] + 3) : row[c]);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
