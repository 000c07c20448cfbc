namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads a transition dataset: a CSV file with header <c>from,action,to</c> (one observed
/// transition per row; repeats are normal) plus an <see cref="AuxFile"/> that declares every
/// observation and its aux value. Actions are numbered in order of first appearance.
/// </summary>
public static class CsvDatasetReader
{
    /// <summary>Reads the dataset.</summary>
    /// <param name="transitionsPath">The <c>from,action,to</c> file.</param>
    /// <param name="aux">The observations' aux values (and labels).</param>
    /// <exception cref="MdpFormatException">On a bad header, a wrong field count, or an id the aux file lacks.</exception>
    public static MdpModel Read(string transitionsPath, AuxFile aux)
    {
        var rows = CsvReader.Read(transitionsPath, TextFile.ReadBytes(transitionsPath));
        if (rows.Count == 0)
        {
            throw new MdpFormatException(new SourceLocation(transitionsPath, 1, 1), "the transitions file is empty", "start it with the header from,action,to");
        }

        var header = rows[0];
        if (header.Fields.Count != 3
            || !header.Fields[0].Equals("from", StringComparison.OrdinalIgnoreCase)
            || !header.Fields[1].Equals("action", StringComparison.OrdinalIgnoreCase)
            || !header.Fields[2].Equals("to", StringComparison.OrdinalIgnoreCase))
        {
            throw new MdpFormatException(new SourceLocation(transitionsPath, header.Line, 1), $"bad header '{string.Join(",", header.Fields)}'", "the first line must be from,action,to");
        }

        var b = new MdpBuilder(transitionsPath);
        foreach (var row in aux.Rows)
        {
            var i = b.GetOrAddObservation(row.Id, row.Location);
            b.SetAux(i, row.Value, row.Location);
            foreach (var (name, value) in row.Labels)
            {
                b.SetLabel(i, name, value);
            }
        }

        foreach (var row in rows.Skip(1))
        {
            if (row.Fields.Count != 3)
            {
                throw new MdpFormatException(new SourceLocation(transitionsPath, row.Line), $"{row.Fields.Count} fields where from,action,to needs 3", "write one transition per line as from,action,to");
            }

            var from = Known(transitionsPath, b, row, 0, aux.Path);
            if (row.Fields[1].Length == 0)
            {
                throw new MdpFormatException(new SourceLocation(transitionsPath, row.Line, row.Columns[1]), "empty action", "fill in the action name");
            }

            var action = b.GetOrAddAction(row.Fields[1], new SourceLocation(transitionsPath, row.Line, row.Columns[1]));
            var to = Known(transitionsPath, b, row, 2, aux.Path);
            b.AddTransition(from, action, to, new SourceLocation(transitionsPath, row.Line));
        }

        return b.Build();
    }

    private static int Known(string path, MdpBuilder b, CsvRow row, int field, string auxPath)
    {
        var id = row.Fields[field];
        var index = b.IndexOfObservation(id);
        if (index < 0)
        {
            var problem = id.Length == 0 ? "empty observation id" : $"unknown observation '{id}'";
            throw new MdpFormatException(new SourceLocation(path, row.Line, row.Columns[field]), problem, $"add a row for it to the aux file {auxPath} or fix the id");
        }

        return index;
    }
}
