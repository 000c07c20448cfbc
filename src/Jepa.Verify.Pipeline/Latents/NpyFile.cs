using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Pipeline.Latents;

/// <summary>
/// Reads a two-dimensional NumPy <c>.npy</c> array of float32 or float64 (what <c>np.save(path, z)</c> writes for a
/// latent or feature matrix) into float32, row-major: whole (<see cref="Read"/>) or a few rows at a time (<see cref="Open"/>).
/// </summary>
/// <remarks>
/// Written by hand: no package served here reads <c>.npy</c>, and the format is one short header (magic
/// <c>\x93NUMPY</c>, a version, a header length, a Python dict literal with <c>descr</c>, <c>fortran_order</c> and
/// <c>shape</c>) followed by the raw little- or big-endian data. Versions 1.0, 2.0 and 3.0 are read.
/// </remarks>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads <paramref name="path"/> whole.</summary>
    /// <returns>The array as float32 (float64 values are rounded to the nearest float32), its rows and columns.</returns>
    /// <exception cref="MdpFormatException">
    /// Not an <c>.npy</c> file, a dtype other than float32/float64, Fortran order, not two-dimensional, a
    /// truncated file, or a value that is NaN, infinite or beyond the float32 range; one line, naming the file.
    /// </exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        using var matrix = Open(path);
        var values = new float[(long)matrix.Rows * matrix.Columns];
        matrix.ReadRows(values);
        return (values, matrix.Rows, matrix.Columns);
    }

    /// <summary>Opens <paramref name="path"/> and checks its header; the rows are then read in order with <see cref="NpyMatrix.ReadRows"/>.</summary>
    /// <exception cref="MdpFormatException">Not an <c>.npy</c> file, an unsupported dtype or layout, or a size that does not match the header.</exception>
    /// <param name="path">The file.</param>
    /// <param name="tensorRows">
    /// Whether each row may be a tensor (<c>[N, d1, …, dk]</c>, e.g. images <c>[N, C, H, W]</c>): its values are then read
    /// row-major as <c>d1·…·dk</c> columns and <see cref="NpyMatrix.RowShape"/> keeps the shape; otherwise the array must be 2-D.
    /// </param>
    public static NpyMatrix Open(string path, bool tensorRows = false)
    {
        var stream = OpenStream(path);
        try
        {
            return Header(stream, path, tensorRows);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static NpyMatrix Header(FileStream stream, string path, bool tensorRows)
    {
        var where = new SourceLocation(path, 0);
        var length = stream.Length;
        var prefix = new byte[12];
        var got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new MdpFormatException(where, "not a NumPy .npy file (no \\x93NUMPY magic)", "save the array with numpy.save(path, z)");
        }

        var major = prefix[6];
        var (headerLength, headerStart) = major switch
        {
            1 => (BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8)), 10),
            2 or 3 when got >= 12 => ((int)BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8)), 12),
            _ => throw new MdpFormatException(where, $".npy format version {major} is not supported", "save with numpy.save (versions 1.0–3.0)"),
        };
        if (headerStart + (long)headerLength > length)
        {
            throw new MdpFormatException(where, "the .npy header is cut short", "save the file again; it is truncated");
        }

        var headerBytes = new byte[headerLength];
        stream.Position = headerStart;
        stream.ReadExactly(headerBytes);
        var header = Encoding.UTF8.GetString(headerBytes);
        var descr = Field(header, "descr", where);
        var fortran = Field(header, "fortran_order", where);
        var shape = Field(header, "shape", where);
        if (fortran != "False")
        {
            throw new MdpFormatException(where, "the array is in Fortran (column-major) order", "save a C-ordered array: numpy.save(path, numpy.ascontiguousarray(z))");
        }

        var (size, bigEndian) = descr.Trim('\'', '"') switch
        {
            "<f4" or "=f4" => (4, false),
            ">f4" => (4, true),
            "<f8" or "=f8" => (8, false),
            ">f8" => (8, true),
            var d => throw new MdpFormatException(where, $"the dtype is {d}; the array must be float32 or float64", "convert first: numpy.save(path, z.astype(numpy.float32))"),
        };
        var dims = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = dims.Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= int.MaxValue ? v : -1).ToArray();
        if (parsed.Any(v => v < 0) || (tensorRows ? dims.Length < 2 : dims.Length != 2))
        {
            throw new MdpFormatException(where, $"the array has shape {shape}; it must be {(tensorRows ? "[observations, d] or [observations, d1, …, dk] (e.g. images [N, C, H, W])" : "two-dimensional, [observations, d]")}",
                tensorRows ? "save one row per observation (reshape a vector with x.reshape(-1, 1))" : "save a 2-D array (reshape a vector with z.reshape(-1, 1))");
        }

        var rows = parsed[0];
        var columns = parsed.Skip(1).Aggregate(1L, (a, b) => a * b);
        var count = rows * columns;
        var data = headerStart + headerLength;
        if (count > Array.MaxLength || rows > int.MaxValue || length - data != count * size)
        {
            throw new MdpFormatException(where, $"the header says {rows} × {columns} values of {size} bytes but the file holds {length - data} bytes of data", "save the file again; it is truncated or padded");
        }

        return new NpyMatrix(stream, path, (int)rows, (int)columns, size, bigEndian) { RowShape = [.. parsed.Skip(1).Select(v => (int)v)] };
    }

    private static FileStream OpenStream(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MdpFormatException(new SourceLocation(path, 0), $"cannot read the file ({ex.Message.TrimEnd('.')})", "check the path");
        }
    }

    private static string Field(string header, string key, SourceLocation where)
    {
        foreach (Match match in FieldPattern().Matches(header))
        {
            if (match.Groups["key"].Value == key)
            {
                return match.Groups["value"].Value.Trim();
            }
        }

        throw new MdpFormatException(where, $"the .npy header has no '{key}'", "save the file with numpy.save");
    }

    [GeneratedRegex(@"'(?<key>\w+)'\s*:\s*(?<value>'[^']*'|\([^)]*\)|True|False)")]
    private static partial Regex FieldPattern();
}
