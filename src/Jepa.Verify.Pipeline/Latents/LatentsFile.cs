using System.Globalization;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Pipeline.Latents;

/// <summary>
/// Latents computed elsewhere, one row per observation: a NumPy <c>.npy</c> matrix in the MDP's observation order,
/// or a CSV <c>id,z0,z1,…</c> matched by id.
/// </summary>
public static class LatentsFile
{
    /// <summary>Reads the latents of <paramref name="mdp"/>'s observations from <paramref name="path"/> (<c>.npy</c> or <c>.csv</c>, by extension).</summary>
    /// <param name="path">The file.</param>
    /// <param name="mdp">The MDP the latents belong to.</param>
    /// <returns>The latents in the MDP's observation order.</returns>
    /// <exception cref="MdpFormatException">One line naming the file and place: wrong row count, unknown or missing ids, non-finite values, an unsupported <c>.npy</c>.</exception>
    public static LatentMatrix Read(string path, MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".npy" => FromNpy(path, mdp),
            ".csv" => FromCsv(path, mdp),
            _ => throw new MdpFormatException(new SourceLocation(path, 0), $"latents must be a .npy or .csv file, not '{extension}'", "save them with numpy.save(path, z), or as CSV id,z0,z1,…"),
        };
    }

    /// <summary>Opens an encoder's inputs for <paramref name="mdp"/>'s observations: a <c>.npy</c> array <c>[observations, features]</c> or <c>[observations, d1, …, dk]</c> (images <c>[N, C, H, W]</c>) in the MDP's observation order, read batch by batch.</summary>
    /// <returns>The open matrix; the caller disposes it.</returns>
    /// <exception cref="MdpFormatException">An unsupported <c>.npy</c>, or a row count other than the observation count.</exception>
    public static NpyMatrix OpenFeatures(string path, MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var matrix = NpyFile.Open(path, tensorRows: true);
        try
        {
            RequireRows(path, mdp, "features", matrix.Rows, matrix.Columns);
            return matrix;
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }

    private static LatentMatrix FromNpy(string path, MdpModel mdp)
    {
        var (values, rows, columns) = NpyFile.Read(path);
        RequireRows(path, mdp, "latents", rows, columns);
        return new LatentMatrix(values, mdp.ObservationCount, columns, $"file {path}");
    }

    /// <summary>One row per observation and at least one column (<paramref name="what"/> names the matrix in messages).</summary>
    private static void RequireRows(string path, MdpModel mdp, string what, int rows, int columns)
    {
        if (rows != mdp.ObservationCount)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"{rows} rows of {what} for the {mdp.ObservationCount} observations of {mdp.Source}", "give one row per observation, in the MDP's observation order");
        }

        if (columns < 1)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"the {what} have 0 columns", "give at least one value per observation");
        }
    }

    private static LatentMatrix FromCsv(string path, MdpModel mdp)
    {
        using var csv = CsvReader.Open(path);
        if (!csv.Next())
        {
            throw new MdpFormatException(new SourceLocation(path, 1, 1), "the latents file is empty", "start it with the header id,z0,z1,…");
        }

        var header = csv.Fields();
        if (header.Length < 2 || header[0] != "id")
        {
            throw new MdpFormatException(csv.Here, $"the header is '{string.Join(",", header)}'", "start the file with the header id,z0,z1,… (one column per latent coordinate)");
        }

        var dim = header.Length - 1;
        var values = new float[(long)mdp.ObservationCount * dim];
        var line = new int[mdp.ObservationCount];
        while (csv.Next())
        {
            if (csv.Count != header.Length)
            {
                throw new MdpFormatException(csv.Here, $"{csv.Count} fields where the header has {header.Length}", "give one value per header column");
            }

            var id = csv.FieldString(0);
            var o = mdp.IndexOfObservation(id);
            if (o < 0)
            {
                throw new MdpFormatException(csv.At(0), $"observation '{id}'{Mdp.OneLine.CodePoints(id)} is not in {mdp.Source}", "remove the row or fix the id");
            }

            if (line[o] > 0)
            {
                throw new MdpFormatException(csv.Here, $"observation '{id}' appears twice (first at line {line[o]})", "keep one row per observation");
            }

            line[o] = csv.Line;
            for (var d = 0; d < dim; d++)
            {
                var text = csv.Field(1 + d);
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v))
                {
                    throw new MdpFormatException(csv.At(1 + d), $"{header[1 + d]} is '{text.ToString()}', not a finite float32 number", "write every latent coordinate as a finite number");
                }

                values[((long)o * dim) + d] = v;
            }
        }

        var missing = Array.IndexOf(line, 0);
        if (missing >= 0)
        {
            var count = line.Count(l => l == 0);
            throw new MdpFormatException(new SourceLocation(path, 0), $"{count} observation(s) of {mdp.Source} have no row, e.g. '{mdp.Observations[missing]}'", "give one row per observation");
        }

        return new LatentMatrix(values, mdp.ObservationCount, dim, $"file {path}");
    }
}
