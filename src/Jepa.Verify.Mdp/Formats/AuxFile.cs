using System.Collections.Immutable;
using System.Globalization;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// An auxiliary side file in CSV: header <c>id,aux</c> (a scalar) or <c>id,aux_0,aux_1,…</c>
/// (a vector), optionally followed by <c>label_NAME</c> columns of ground-truth labels.
/// </summary>
/// <param name="Path">The file.</param>
/// <param name="Rows">One row per observation id, in file order.</param>
public sealed record AuxFile(string Path, ImmutableArray<AuxFile.Row> Rows)
{
    /// <summary>One observation's entry.</summary>
    /// <param name="Id">Observation id.</param>
    /// <param name="Value">Its aux value (components may be NaN if the file says so).</param>
    /// <param name="Labels">Its labels by name (without the <c>label_</c> prefix).</param>
    /// <param name="Location">The row's place.</param>
    public sealed record Row(string Id, AuxValue Value, ImmutableArray<(string Name, string Value)> Labels, SourceLocation Location);

    /// <summary>Reads and validates a side file.</summary>
    /// <exception cref="MdpFormatException">On a bad header, a wrong field count, a non-number, or a repeated id.</exception>
    public static AuxFile Read(string path)
    {
        var rows = CsvReader.Read(path, TextFile.ReadBytes(path));
        if (rows.Count == 0)
        {
            throw new MdpFormatException(new SourceLocation(path, 1, 1), "the aux file is empty", "start it with the header id,aux");
        }

        var header = rows[0];
        var dims = ParseHeader(path, header, out var labelNames);
        var result = ImmutableArray.CreateBuilder<Row>(rows.Count - 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows.Skip(1))
        {
            var where = new SourceLocation(path, row.Line);
            if (row.Fields.Count != header.Fields.Count)
            {
                throw new MdpFormatException(where, $"{row.Fields.Count} fields where the header has {header.Fields.Count}", "give one value per header column");
            }

            var id = row.Fields[0];
            if (id.Length == 0)
            {
                throw new MdpFormatException(new SourceLocation(path, row.Line, row.Columns[0]), "empty observation id", "fill in the id");
            }

            if (seen.TryGetValue(id, out var firstLine))
            {
                throw new MdpFormatException(where, $"observation '{id}' appears twice (first at line {firstLine})", "keep one row per observation");
            }

            seen[id] = row.Line;
            var values = new double[dims];
            for (var d = 0; d < dims; d++)
            {
                values[d] = ParseNumber(path, row, 1 + d, header.Fields[1 + d]);
            }

            var labels = labelNames.Select((name, k) => (name, row.Fields[1 + dims + k])).ToImmutableArray();
            result.Add(new Row(id, new AuxValue(ImmutableArray.Create(values)), labels, where));
        }

        return new AuxFile(path, result.MoveToImmutable());
    }

    /// <summary>
    /// Replaces the aux values (and adds the labels) of <paramref name="mdp"/> with this file's.
    /// Observations the file does not name get a missing aux value, which the condition checker reports.
    /// </summary>
    /// <exception cref="MdpFormatException">When the file names an observation the MDP lacks.</exception>
    public MdpModel ApplyTo(MdpModel mdp)
    {
        var aux = new AuxValue[mdp.ObservationCount];
        var locations = new SourceLocation?[mdp.ObservationCount];
        var labels = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        foreach (var row in Rows)
        {
            var i = mdp.IndexOfObservation(row.Id);
            if (i < 0)
            {
                throw new MdpFormatException(row.Location, $"observation '{row.Id}' is not in {mdp.Source}", "remove the row or fix the id");
            }

            aux[i] = row.Value;
            locations[i] = row.Location;
            foreach (var (name, value) in row.Labels)
            {
                if (!labels.TryGetValue(name, out var column))
                {
                    column = new string?[mdp.ObservationCount];
                    labels[name] = column;
                }

                column[i] = value;
            }
        }

        var merged = mdp.Labels.SetItems(labels.Select(kv => KeyValuePair.Create(kv.Key, ImmutableArray.Create(kv.Value))));
        return mdp.WithAux(ImmutableArray.Create(aux), ImmutableArray.Create(locations), merged);
    }

    private static int ParseHeader(string path, CsvRow header, out List<string> labelNames)
    {
        var f = header.Fields;
        const string fix = "use the header id,aux or id,aux_0,aux_1,… (then optional label_NAME columns)";
        if (f.Count < 2 || !f[0].Equals("id", StringComparison.OrdinalIgnoreCase))
        {
            throw new MdpFormatException(new SourceLocation(path, header.Line, 1), $"bad aux header '{string.Join(",", f)}'", fix);
        }

        var dims = 0;
        if (f[1].Equals("aux", StringComparison.OrdinalIgnoreCase))
        {
            dims = 1;
        }
        else
        {
            while (1 + dims < f.Count && f[1 + dims].Equals($"aux_{dims}", StringComparison.OrdinalIgnoreCase))
            {
                dims++;
            }
        }

        if (dims == 0)
        {
            throw new MdpFormatException(new SourceLocation(path, header.Line, header.Columns[1]), $"bad aux column '{f[1]}'", fix);
        }

        labelNames = [];
        for (var c = 1 + dims; c < f.Count; c++)
        {
            if (!f[c].StartsWith("label_", StringComparison.OrdinalIgnoreCase) || f[c].Length <= "label_".Length)
            {
                throw new MdpFormatException(new SourceLocation(path, header.Line, header.Columns[c]), $"unexpected column '{f[c]}'", fix);
            }

            labelNames.Add(f[c]["label_".Length..]);
        }

        return dims;
    }

    private static double ParseNumber(string path, CsvRow row, int field, string column)
    {
        var text = row.Fields[field];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new MdpFormatException(new SourceLocation(path, row.Line, row.Columns[field]), $"'{text}' in column {column} is not a number", "write a number such as 0, 1.5 or -2e-3");
        }

        return value;
    }
}
