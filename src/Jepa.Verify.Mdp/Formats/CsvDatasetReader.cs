namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// Reads a transition dataset: a CSV file with header <c>from,action,to</c> (one observed
/// transition per row; repeats are normal) plus an <see cref="AuxFile"/> that declares every
/// observation and its aux value. Actions are numbered in order of first appearance.
/// </summary>
/// <remarks>One streaming pass over the file (Sep); ids are looked up without allocating a string per field.</remarks>
public static class CsvDatasetReader
{
    /// <summary>Reads the dataset.</summary>
    /// <param name="transitionsPath">The <c>from,action,to</c> file.</param>
    /// <param name="aux">The observations' aux values (and labels).</param>
    /// <exception cref="MdpFormatException">On a bad header, a wrong field count, or an id the aux file lacks.</exception>
    public static MdpModel Read(string transitionsPath, AuxFile aux)
    {
        using var csv = CsvReader.Open(transitionsPath);
        if (!csv.Next())
        {
            throw new MdpFormatException(new SourceLocation(transitionsPath, 1, 1), "the transitions file is empty", "start it with the header from,action,to");
        }

        var header = csv.Fields();
        if (header.Length != 3
            || !header[0].Equals("from", StringComparison.OrdinalIgnoreCase)
            || !header[1].Equals("action", StringComparison.OrdinalIgnoreCase)
            || !header[2].Equals("to", StringComparison.OrdinalIgnoreCase))
        {
            throw new MdpFormatException(new SourceLocation(transitionsPath, csv.Line, 1), $"bad header '{string.Join(",", header)}'", "the first line must be from,action,to");
        }

        // Observations are declared by the aux file (their positions are its lines); transitions by this file's lines.
        var auxLines = new int[aux.Rows.Length];
        var b = new MdpBuilder(transitionsPath, SourceMap.ForLines(transitionsPath));
        foreach (var row in aux.Rows)
        {
            var i = b.GetOrAddObservation(row.Id);
            b.SetAux(i, row.Value);
            auxLines[i] = row.Line;
            foreach (var (name, value) in row.Labels)
            {
                b.SetLabel(i, name, value);
            }
        }

        while (csv.Next())
        {
            if (csv.Count != 3)
            {
                throw new MdpFormatException(csv.Here, $"{csv.Count} fields where from,action,to needs 3", "write one transition per line as from,action,to");
            }

            var from = Known(csv, b, 0, aux.Path);
            var name = csv.Field(1);
            if (name.IsEmpty)
            {
                throw new MdpFormatException(csv.At(1), "empty action", "fill in the action name");
            }

            var action = b.IndexOfAction(name);
            if (action < 0)
            {
                action = b.AddAction(name.ToString(), csv.Line);
            }

            var to = Known(csv, b, 2, aux.Path);
            b.AddTransition(from, action, to, csv.Line);
        }

        var mdp = b.Build();
        var positions = new SourcePositions(SourceMap.ForLines(aux.Path), auxLines);
        return mdp.WithPositions(positions, positions);
    }

    private static int Known(CsvReader csv, MdpBuilder b, int field, string auxPath)
    {
        var id = csv.Field(field);
        var index = b.IndexOfObservation(id);
        if (index < 0)
        {
            var problem = id.IsEmpty ? "empty observation id" : $"unknown observation '{id}'{OneLine.CodePoints(id.ToString())}";
            throw new MdpFormatException(csv.At(field), problem, $"add a row for it to the aux file {auxPath} or fix the id");
        }

        return index;
    }
}
