using System.Collections.Immutable;
using System.Globalization;

namespace Jepa.Verify.Mdp.Formats;

/// <summary>
/// An auxiliary side file in CSV: header <c>id,aux</c> (a scalar) or <c>id,aux_0,aux_1,…</c>
/// (a vector), optionally followed by <c>label_NAME</c> columns of ground-truth labels.
/// </summary>
/// <remarks>
/// An aux field may be empty (pandas' NaN) or <c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>Infinity</c> in any
/// case: those values are read as NaN or ±∞ and reported by the condition checker. A finite-looking number
/// beyond the double range (<c>1e309</c>) is refused, as in JSON. An empty label field means no label.
/// </remarks>
/// <param name="Path">The file.</param>
/// <param name="Rows">One row per observation id, in file order.</param>
public sealed record AuxFile(string Path, ImmutableArray<AuxFile.Row> Rows)
{
    /// <summary>One observation's entry.</summary>
    /// <param name="Id">Observation id.</param>
    /// <param name="Value">Its aux value (components may be NaN or infinite if the file says so).</param>
    /// <param name="Labels">Its labels by name (without the <c>label_</c> prefix).</param>
    /// <param name="Line">The row's 1-based line in <see cref="Path"/>.</param>
    public sealed record Row(string Id, AuxValue Value, ImmutableArray<(string Name, string Value)> Labels, int Line);

    /// <summary>Reads and validates a side file.</summary>
    /// <exception cref="MdpFormatException">On a bad header, a wrong field count, a non-number, or a repeated id.</exception>
    public static AuxFile Read(string path)
    {
        using var csv = CsvReader.Open(path);
        if (!csv.Next())
        {
            throw new MdpFormatException(new SourceLocation(path, 1, 1), "the aux file is empty", "start it with the header id,aux");
        }

        var header = csv.Fields();
        var dims = ParseHeader(csv, header, out var labelNames);
        var result = ImmutableArray.CreateBuilder<Row>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var scalars = new ScalarAux();
        var values = new double[dims];
        while (csv.Next())
        {
            if (csv.Count != header.Length)
            {
                throw new MdpFormatException(csv.Here, $"{csv.Count} fields where the header has {header.Length}", "give one value per header column");
            }

            var id = csv.FieldString(0);
            if (id.Length == 0)
            {
                throw new MdpFormatException(csv.At(0), "empty observation id", "fill in the id");
            }

            if (!seen.TryAdd(id, csv.Line))
            {
                throw new MdpFormatException(csv.Here, $"observation '{id}' appears twice (first at line {seen[id]})", "keep one row per observation");
            }

            for (var d = 0; d < dims; d++)
            {
                values[d] = ParseNumber(csv, 1 + d, header[1 + d]);
            }

            var labels = ImmutableArray<(string, string)>.Empty;
            if (labelNames.Count > 0)
            {
                var builder = ImmutableArray.CreateBuilder<(string, string)>(labelNames.Count);
                for (var k = 0; k < labelNames.Count; k++)
                {
                    var value = csv.Field(1 + dims + k);
                    if (!value.IsEmpty)
                    {
                        builder.Add((labelNames[k], value.ToString()));
                    }
                }

                labels = builder.DrainToImmutable();
            }

            result.Add(new Row(id, dims == 1 ? scalars.Get(values[0]) : new AuxValue([.. values]), labels, csv.Line));
        }

        return new AuxFile(path, result.DrainToImmutable());
    }

    /// <summary>Where <paramref name="row"/> is, e.g. <c>aux.csv:4</c>.</summary>
    public SourceLocation LocationOf(Row row) => new(Path, row.Line);

    /// <summary>
    /// Replaces the aux values (and adds the labels) of <paramref name="mdp"/> with this file's.
    /// Observations the file does not name get a missing aux value, which the condition checker reports.
    /// </summary>
    /// <exception cref="MdpFormatException">When the file names an observation the MDP lacks.</exception>
    public MdpModel ApplyTo(MdpModel mdp)
    {
        var aux = new AuxValue[mdp.ObservationCount];
        var lines = new int[mdp.ObservationCount];
        Array.Fill(lines, -1);
        var labels = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        foreach (var row in Rows)
        {
            var i = mdp.IndexOfObservation(row.Id);
            if (i < 0)
            {
                throw new MdpFormatException(LocationOf(row), $"observation '{row.Id}'{OneLine.CodePoints(row.Id)} is not in {mdp.Source}", "remove the row or fix the id");
            }

            aux[i] = row.Value;
            lines[i] = row.Line;
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
        return mdp.WithAux(ImmutableArray.Create(aux), new SourcePositions(SourceMap.ForLines(Path), lines), merged);
    }

    private static int ParseHeader(CsvReader csv, string[] f, out List<string> labelNames)
    {
        const string fix = "use the header id,aux or id,aux_0,aux_1,… (then optional label_NAME columns)";
        if (f.Length < 2 || !f[0].Equals("id", StringComparison.OrdinalIgnoreCase))
        {
            throw new MdpFormatException(csv.At(0), $"bad aux header '{string.Join(",", f)}'", fix);
        }

        var dims = 0;
        if (f[1].Equals("aux", StringComparison.OrdinalIgnoreCase))
        {
            dims = 1;
        }
        else
        {
            while (1 + dims < f.Length && f[1 + dims].Equals($"aux_{dims}", StringComparison.OrdinalIgnoreCase))
            {
                dims++;
            }
        }

        if (dims == 0)
        {
            throw new MdpFormatException(csv.At(1), $"bad aux column '{f[1]}'", fix);
        }

        labelNames = [];
        for (var c = 1 + dims; c < f.Length; c++)
        {
            if (!f[c].StartsWith("label_", StringComparison.OrdinalIgnoreCase) || f[c].Length <= "label_".Length)
            {
                throw new MdpFormatException(csv.At(c), $"unexpected column '{f[c]}'", fix);
            }

            labelNames.Add(f[c]["label_".Length..]);
        }

        return dims;
    }

    /// <summary>A number; empty (pandas' NaN), nan and inf spelled out are non-finite values, an overflowing literal is refused.</summary>
    private static double ParseNumber(CsvReader csv, int field, string column)
    {
        var text = csv.Field(field);
        if (text.IsEmpty)
        {
            return double.NaN;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            var named = text.TrimStart("+-");
            if (named.Equals("nan", StringComparison.OrdinalIgnoreCase))
            {
                return double.NaN;
            }

            if (named.Equals("inf", StringComparison.OrdinalIgnoreCase) || named.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            {
                return text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            }

            throw new MdpFormatException(csv.At(field), $"'{text}' in column {column} is not a number", "write a number such as 0, 1.5 or -2e-3 (or leave it empty, or nan, for a missing value)");
        }

        if (double.IsInfinity(value) && !text.TrimStart("+-").StartsWith("inf", StringComparison.OrdinalIgnoreCase))
        {
            throw new MdpFormatException(csv.At(field), $"the number {text} in column {column} is out of range", "use a finite double-precision number (or inf to mean infinity)");
        }

        if (ExactNumber.Problem(text, value) is { } lost)
        {
            throw new MdpFormatException(csv.At(field), $"the number {text} in column {column} {lost}, so values that differ could be merged", "write a value a double holds exactly (the one it becomes, if that is what you meant), rescale the aux, or give it as a label");
        }

        return value;
    }
}
