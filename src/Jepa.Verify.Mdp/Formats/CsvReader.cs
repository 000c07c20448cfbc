using System.Text;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// A small RFC 4180 reader: comma-separated fields, double-quoted fields with <c>""</c> escapes,
/// whitespace around unquoted fields trimmed. Blank lines and lines starting with <c>#</c> are skipped.
/// A quoted field may not span lines.
/// </summary>
internal static class CsvReader
{
    public static List<CsvRow> Read(string path, byte[] bytes)
    {
        var rows = new List<CsvRow>();
        var lines = TextFile.Lines(path, bytes);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            rows.Add(ParseLine(path, i + 1, line));
        }

        return rows;
    }

    private static CsvRow ParseLine(string path, int lineNumber, string line)
    {
        var fields = new List<string>();
        var columns = new List<int>();
        var pos = 0;
        while (true)
        {
            while (pos < line.Length && line[pos] is ' ' or '\t')
            {
                pos++;
            }

            columns.Add(pos + 1);
            if (pos < line.Length && line[pos] == '"')
            {
                var sb = new StringBuilder();
                var open = pos;
                pos++;
                while (true)
                {
                    if (pos >= line.Length)
                    {
                        throw new MdpFormatException(new SourceLocation(path, lineNumber, open + 1), "a quoted field is not closed on its line", "close the quote (a field may not span lines)");
                    }

                    if (line[pos] == '"')
                    {
                        if (pos + 1 < line.Length && line[pos + 1] == '"')
                        {
                            sb.Append('"');
                            pos += 2;
                            continue;
                        }

                        pos++;
                        break;
                    }

                    sb.Append(line[pos++]);
                }

                while (pos < line.Length && line[pos] is ' ' or '\t')
                {
                    pos++;
                }

                if (pos < line.Length && line[pos] != ',')
                {
                    throw new MdpFormatException(new SourceLocation(path, lineNumber, pos + 1), "text after a closing quote", "put a comma after the quoted field");
                }

                fields.Add(sb.ToString());
            }
            else
            {
                var end = line.IndexOf(',', pos);
                var raw = end < 0 ? line[pos..] : line[pos..end];
                fields.Add(raw.Trim());
                pos = end < 0 ? line.Length : end;
            }

            if (pos >= line.Length)
            {
                break;
            }

            pos++; // the comma
        }

        return new CsvRow(lineNumber, fields, columns);
    }
}
